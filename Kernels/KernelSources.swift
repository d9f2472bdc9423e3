// The `.cl` kernel files of this folder, embedded into the binary by SwiftPM
// (`.embedInCode`), so vdrop needs no resource files at run time.

/// Looks up the text of embedded kernel files by file name.
public enum KernelSources {
    /// Every embedded file by name ("lrt_dense.cl", "philox.clh", ...).
    public static let files: [String: String] = {
        var files: [String: String] = [:]
        for (name, bytes) in embeddedFiles { files[name] = String(decoding: bytes, as: UTF8.self) }
        return files
    }()

    /// The text of one embedded file, or nil when there is none of that name.
    public static func text(of file: String) -> String? { files[file] }

    /// Replaces each `#include "name"` line with the embedded file of that name,
    /// once per program (a second include of the same file is dropped).
    public static func resolvingIncludes(_ source: String, in file: String) throws -> String {
        var included = Set<String>()
        return try resolve(source, in: file, included: &included)
    }

    private static func resolve(_ source: String, in file: String, included: inout Set<String>) throws -> String {
        var lines: [Substring] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            guard trimmed.hasPrefix("#include \"") else { lines.append(line); continue }
            let name = String(trimmed.dropFirst("#include \"".count).prefix(while: { $0 != "\"" }))
            guard let header = files[name] else { throw MissingKernelInclude(file: file, include: name) }
            if included.insert(name).inserted {
                lines.append(Substring(try resolve(header, in: name, included: &included)))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// A kernel file includes a file that is not embedded.
public struct MissingKernelInclude: Error, CustomStringConvertible {
    public let file: String
    public let include: String
    public var description: String { "The kernel file \(file) includes \"\(include)\", which is not among the embedded kernel files." }
}

/// The embedded files by name. Add a line here for each new file in `Kernels/`;
/// a test checks that every `.cl` and `.clh` file of the folder is listed.
let embeddedFiles: [(String, [UInt8])] = [
    ("philox.clh", PackageResources.philox_clh),
    ("regularizers.clh", PackageResources.regularizers_clh),
    ("work_group_sum.clh", PackageResources.work_group_sum_clh),
    ("adam.cl", PackageResources.adam_cl),
    ("batch_norm.cl", PackageResources.batch_norm_cl),
    ("cross_entropy.cl", PackageResources.cross_entropy_cl),
    ("csr_dense.cl", PackageResources.csr_dense_cl),
    ("gather.cl", PackageResources.gather_cl),
    ("gemm_tiled.cl", PackageResources.gemm_tiled_cl),
    ("lrt_conv.cl", PackageResources.lrt_conv_cl),
    ("lrt_conv_gemm.cl", PackageResources.lrt_conv_gemm_cl),
    ("lrt_dense.cl", PackageResources.lrt_dense_cl),
    ("max_pool.cl", PackageResources.max_pool_cl),
    ("noise.cl", PackageResources.noise_cl),
    ("reduce_sum.cl", PackageResources.reduce_sum_cl),
    ("regularizer_gradient.cl", PackageResources.regularizer_gradient_cl),
    ("regularizer_sum.cl", PackageResources.regularizer_sum_cl),
    ("relu.cl", PackageResources.relu_cl),
    ("select_columns.cl", PackageResources.select_columns_cl),
    ("sparse_conv.cl", PackageResources.sparse_conv_cl),
    ("weight_variance.cl", PackageResources.weight_variance_cl),
]
