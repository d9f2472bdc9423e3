import Foundation
@testable import VDrop
import XCTest
@testable import VDropCL

/// Every launch is checked against the kernel's declared parameters: a tensor fills a buffer
/// and its offset, and a value of the wrong kind in any position stops the launch.
final class KernelSignatureTests: XCTestCase {
    func testATensorFillsABufferAndItsOffset() throws {
        let backend = try TestBackends.openCL()
        let tensor = try backend.allocate([4])
        XCTAssertEqual(tensor.kernelParameterTypes, ["*", "int"])
        XCTAssertEqual(BytesOf(tensor).kernelParameterTypes, ["*", "int"])
        XCTAssertEqual(true.kernelParameterTypes, ["int"])
        XCTAssertEqual(tensor.kernelParameterCount, 2)
        XCTAssertEqual(Float(1).kernelParameterCount, 1)
    }

    func testMismatchesAreFound() {
        let declared = ["float*", "int", "float*", "int", "int"]
        XCTAssertNil(Kernel.mismatch(declaredCount: 5, declaredTypes: declared, given: ["*", "int", "*", "int", "int"]))
        // A buffer paired with a missing offset shifts every later value.
        XCTAssertEqual(Kernel.mismatch(declaredCount: 5, declaredTypes: declared, given: ["*", "*", "int", "int"]),
                       "the kernel takes 5 parameters; the host passed 4")
        XCTAssertEqual(Kernel.mismatch(declaredCount: 5, declaredTypes: declared, given: ["*", "int", "int", "*", "int"]),
                       "parameter 2 is float*, the host passed int")
        XCTAssertEqual(Kernel.mismatch(declaredCount: 5, declaredTypes: declared, given: ["*", "int", "*", "int", "float"]),
                       "parameter 4 is int, the host passed float")
        XCTAssertNil(Kernel.mismatch(declaredCount: 2, declaredTypes: nil, given: ["*", "float"]), "without arg info only counts")
    }

    /// The driver reports the declared types (programs are built with -cl-kernel-arg-info), so
    /// the check compares types, not only counts; each typed entry point's launch is checked
    /// the first time a test runs it.
    func testTheDeviceReportsParameterTypes() throws {
        let backend = try TestBackends.openCL()
        let kernel = try backend.kernel("adam_update", in: "adam.cl", options: KernelConstants.regularizerDefinitions)
        XCTAssertEqual(kernel.parameterCount, 23)
        XCTAssertEqual(kernel.parameterTypes?.prefix(3), ["float*", "int", "float*"])
        XCTAssertEqual(kernel.parameterTypes?.last, "float")
    }

    /// A kernel file that needs a host constant does not build without it.
    func testHostConstantsHaveNoSilentDefault() throws {
        let backend = try TestBackends.openCL()
        XCTAssertThrowsError(try backend.programs.program("adam.cl")) { error in
            XCTAssertTrue("\(error)".contains("REGULARIZER"), "\(error)")
        }
        XCTAssertThrowsError(try backend.programs.program("reduce_sum.cl")) { error in
            XCTAssertTrue("\(error)".contains("WG_SIZE"), "\(error)")
        }
    }
}
