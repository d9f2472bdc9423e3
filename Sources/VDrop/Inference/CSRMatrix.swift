/// A sparse matrix in compressed sparse row form, PyTorch's and SciPy's layout: row r's
/// non-zeros are `values[rowStarts[r]..<rowStarts[r+1]]`, in columns `columnIndices[…]`
/// (ascending within a row). A dense layer's weight [outputs, inputs] is one; a conv weight is
/// one as [out, in·k·k].
public struct CSRMatrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    /// rows + 1 offsets into `columnIndices` and `values`; the first is 0, the last the count.
    public let rowStarts: [Int]
    public let columnIndices: [Int]
    public let values: [Float]

    /// The non-zeros of a row-major dense matrix (exact zeros are the ones left out).
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "a \(rows)×\(columns) matrix holds \(rows * columns) values, not \(dense.count)")
        var rowStarts = [0], columnIndices: [Int] = [], values: [Float] = []
        rowStarts.reserveCapacity(rows + 1)
        for r in 0..<rows {
            for c in 0..<columns where dense[r * columns + c] != 0 {
                columnIndices.append(c)
                values.append(dense[r * columns + c])
            }
            rowStarts.append(values.count)
        }
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Checks the invariants of a CSR triplet read from a file; a sentence saying which fails.
    public init(rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int], values: [Float]) throws {
        guard rows >= 0, columns >= 0 else { throw ConfigurationError("a CSR matrix of \(rows)×\(columns) has a negative size.") }
        guard rowStarts.count == rows + 1 else {
            throw ConfigurationError("a CSR matrix of \(rows) rows needs \(rows + 1) row offsets, not \(rowStarts.count).")
        }
        guard columnIndices.count == values.count else {
            throw ConfigurationError("a CSR matrix has \(columnIndices.count) column indices but \(values.count) values.")
        }
        guard rowStarts.first == 0, rowStarts.last == values.count else {
            throw ConfigurationError("a CSR matrix's row offsets must run from 0 to the value count \(values.count).")
        }
        // Every offset is checked before any is used to slice: [0, 9, 5] with 5 values ends
        // well, yet row 0's slice would run past the columns.
        for r in 0..<rows where rowStarts[r] > rowStarts[r + 1] {
            throw ConfigurationError("a CSR matrix's row offsets decrease at row \(r).")
        }
        guard values.allSatisfy({ $0.isFinite }) else { throw ConfigurationError("a CSR matrix holds a non-finite value.") }
        for r in 0..<rows {
            var previous = -1
            for c in columnIndices[rowStarts[r]..<rowStarts[r + 1]] {
                guard c > previous, c < columns else {
                    throw ConfigurationError("row \(r) of a CSR matrix has column index \(c): out of 0..<\(columns) or not ascending.")
                }
                previous = c
            }
        }
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    public var nonZeroCount: Int { values.count }

    /// Row-major dense values, zeros where nothing is stored.
    public var dense: [Float] {
        var result = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for j in rowStarts[r]..<rowStarts[r + 1] { result[r * columns + columnIndices[j]] = values[j] }
        }
        return result
    }
}
