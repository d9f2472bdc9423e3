import VDrop
import XCTest

final class DeviceSelectionTests: XCTestCase {
    func testParsesEveryForm() throws {
        XCTAssertEqual(try DeviceChoice(parsing: "auto"), .automatic)
        XCTAssertEqual(try DeviceChoice(parsing: "GPU"), .gpu)
        XCTAssertEqual(try DeviceChoice(parsing: "cpu"), .cpu)
        XCTAssertEqual(try DeviceChoice(parsing: "opencl-cpu"), .openCLCPU)
        XCTAssertEqual(try DeviceChoice(parsing: "1:2"), .indexed(platform: 1, device: 2))
    }

    func testRejectsNonsenseWithASentence() {
        for text in ["tpu", "1:", ":2", "-1:0", "a:b", "1:2:3"] {
            XCTAssertThrowsError(try DeviceChoice(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains("is not a device"), "\(error)")
            }
        }
    }

    func testCPUAlwaysResolvesAndAnAbsentDeviceListsWhatExists() throws {
        let inventory = try DeviceInventory()
        XCTAssertEqual(try inventory.resolve(.cpu), .cpuBackend)
        XCTAssertThrowsError(try inventory.resolve(.indexed(platform: 99, device: 0))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no OpenCL device 99:0"), text)
            XCTAssertTrue(text.contains("cpu (the CPU backend)") || text.contains("--device cpu"), text)
            for device in inventory.allDevices { XCTAssertTrue(text.contains(device.name), text) }
        }
        if inventory.firstGPU == nil {
            XCTAssertEqual(try inventory.resolve(.automatic), .cpuBackend)
            XCTAssertThrowsError(try inventory.resolve(.gpu)) { error in
                XCTAssertTrue("\(error)".contains("no OpenCL GPU"), "\(error)")
            }
        }
    }

    func testOpenCLCPUFindsPoCLWhenInstalled() throws {
        let inventory = try DeviceInventory()
        guard inventory.allDevices.contains(where: { $0.kind == .cpu }) else {
            throw XCTSkip("no OpenCL CPU device here")
        }
        guard case .openCL(let device) = try inventory.resolve(.openCLCPU) else { return XCTFail("opencl-cpu gave the CPU backend") }
        XCTAssertEqual(device.kind, .cpu)
    }
}
