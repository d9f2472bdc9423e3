import COpenCL
import Kernels
import VDrop
import XCTest
import VDropCL

/// The device layer on whatever OpenCL platform the machine has (PoCL in CI).
final class DeviceLayerTests: XCTestCase {
    func testDiscoveryFindsADevice() throws {
        let backend = try TestBackends.openCL()
        XCTAssertFalse(backend.device.name.isEmpty)
        XCTAssertGreaterThan(backend.device.computeUnits, 0)
        XCTAssertGreaterThan(backend.device.globalMemory, 0)
        XCTAssertTrue(backend.device.openCLCVersion.hasPrefix("OpenCL C"), backend.device.openCLCVersion)
    }

    func testBufferRoundTripsData() throws {
        let backend = try TestBackends.openCL()
        let values = testValues(1000, seed: 1)
        let buffer = try Buffer(context: backend.context, floats: 1200)
        try buffer.write(values, at: 100, queue: backend.queue)
        XCTAssertEqual(try buffer.read(count: 1000, at: 100, queue: backend.queue), values)
        try buffer.fill(2.5, count: 10, at: 5, queue: backend.queue)
        XCTAssertEqual(try buffer.read(count: 10, at: 5, queue: backend.queue), [Float](repeating: 2.5, count: 10))
    }

    func testEmbeddedKernelRunsAndMatchesTheHost() throws {
        let backend = try TestBackends.openCL()
        let key = NoiseKey(seed: 0x1234_5678_9ABC, step: 7, stream: 3)
        let out = try backend.allocate([1001])
        try backend.launch("noise_normals", in: "noise.cl", global: [1001],
                           out.deviceBuffer, out.deviceOffset, Int32(1001), Int32(5),
                           SIMD2<UInt32>(UInt32(truncatingIfNeeded: key.seed), UInt32(truncatingIfNeeded: key.seed >> 32)),
                           SIMD2<UInt32>(UInt32(truncatingIfNeeded: key.step), UInt32(truncatingIfNeeded: key.step >> 32)),
                           key.stream)
        let device = try backend.download(out)
        let host = (0..<1001).map { key.normal(5 + $0) }
        // Box–Muller's log, sqrt, cos and sin may differ by a few ulps between the
        // device's and the host's math library; the uniforms themselves are exact.
        assertClose(device, host, atol: 2e-6, rtol: 2e-6, "device normals vs host normals")
    }

    func testCLBlastSgemmMatchesTheCPU() throws {
        try assertSgemmMatchesCPU(try TestBackends.openCL(), "CLBlast's own parameters")
    }

    func testKernelWithASyntaxErrorThrowsTheBuildLog() throws {
        let backend = try TestBackends.openCL()
        let source = "__kernel void broken(__global float *x) { x[0] = 1.0f +; }"
        do {
            _ = try backend.programs.program(named: "broken.cl", source: source, options: "-DWG_SIZE=64")
            XCTFail("a kernel with a syntax error built")
        } catch let error as KernelBuildError {
            XCTAssertEqual(error.file, "broken.cl")
            XCTAssertTrue(error.options.contains("-DWG_SIZE=64"))
            XCTAssertTrue(error.log.contains("expected expression"), "the build log should hold the compiler's message: \(error.log)")
            XCTAssertTrue(error.description.contains("broken.cl"))
        }
    }

    func testStatusCodesMapToTheirNames() {
        XCTAssertEqual(CLError.name(of: -4), "CL_MEM_OBJECT_ALLOCATION_FAILURE")
        XCTAssertEqual(CLError.name(of: -46), "CL_INVALID_KERNEL_NAME")
        XCTAssertEqual(CLError(status: -36, call: "clFinish").description, "OpenCL error -36: CL_INVALID_COMMAND_QUEUE in clFinish")
        XCTAssertEqual(CLError(status: -1017, call: "CLBlastSgemm", fromCLBlast: true).name, "CLBlastInvalidDimension")
        XCTAssertThrowsError(try clCheck(-30, "clSomething")) { error in
            XCTAssertEqual((error as? CLError)?.name, "CL_INVALID_VALUE")
        }
    }

    func testProgramsAreBuiltOncePerFileAndOptions() throws {
        let backend = try TestBackends.openCL()
        let first = try backend.programs.program("noise.cl")
        XCTAssertTrue(first === (try backend.programs.program("noise.cl")))
        XCTAssertFalse(first === (try backend.programs.program("noise.cl", options: "-DUNUSED=1")))
    }

    func testEveryKernelFileIsEmbedded() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Kernels")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".cl") || $0.hasSuffix(".clh") }
        XCTAssertFalse(files.isEmpty)
        for file in files { XCTAssertNotNil(KernelSources.text(of: file), "\(file) is not listed in Kernels/KernelSources.swift") }
    }

    func testReleasedHandlesDoNotGrowMemory() throws {
        let backend = try TestBackends.openCL()
        func makeAndDrop(_ count: Int) throws {
            for _ in 0..<count {
                let buffer = try Buffer(context: backend.context, byteCount: 1 << 20)
                try buffer.fill(1, count: 1 << 18, queue: backend.queue)  // touch every page
                try backend.queue.finish()
            }
        }
        try makeAndDrop(200)  // warm the driver's own pools first
        let before = residentBytes()
        try makeAndDrop(3000)  // 3 GB if none were released
        let grown = residentBytes() - before
        XCTAssertLessThan(grown, 200 << 20, "resident memory grew by \(grown >> 20) MiB over 3000 dropped 1 MiB buffers")
    }
}

/// Resident set size of this process from /proc (Linux), in bytes.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

final class DeviceMemoryTests: XCTestCase {
    /// Asking for more than the device has is a sentence naming the device and what to do, not a crash.
    func testTooMuchMemoryIsAClearError() throws {
        let backend = try TestBackends.openCL()
        let tooMany = Int(backend.device.globalMemory / 4) + 1
        XCTAssertThrowsError(try backend.allocate([tooMany])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(backend.device.name) && text.contains("smaller batch"), text)
        }
    }
}

extension DeviceMemoryTests {
    /// Freed storage no longer counts against the device's memory.
    func testFreedStorageIsNotCounted() throws {
        let backend = try TestBackends.openCL()
        let before = backend.liveBytes
        do {
            let tensor = try backend.allocate([1 << 20])
            XCTAssertEqual(backend.liveBytes, before + 4 << 20)
            _ = tensor
        }
        XCTAssertEqual(backend.liveBytes, before)
    }
}
