/// A tiny grey-level summary of a picture (16x16 cell means), for comparing pictures cheaply.
struct Thumbnail: Equatable {
    /// Cells per side.
    static let size = 16
    /// `size * size` mean luma values, row by row.
    let cells: [UInt8]

    init?(cells: [UInt8]) {
        guard cells.count == Self.size * Self.size else { return nil }
        self.cells = cells
    }

    /// Summarises a converted picture; `nil` for pictures smaller than the grid.
    init?(_ picture: ConvertedPicture) {
        guard picture.width >= Self.size, picture.height >= Self.size else { return nil }
        cells = Self.cells(width: picture.width, height: picture.height) { row, column in
            picture.luma(row: row, column: column)
        }
    }

    /// The cell means of a `width`x`height` picture whose luma at (`row`, `column`) is `luma`:
    /// each cell averages a 4x4 lattice of samples spread over it, so a thumbnail costs 4096
    /// reads whatever the picture's size.
    static func cells(width: Int, height: Int, luma: (_ row: Int, _ column: Int) -> Int) -> [UInt8] {
        var cells = [UInt8](repeating: 0, count: size * size)
        let samples = 4
        for cellY in 0..<size {
            let top = cellY * height / size
            let cellHeight = max(1, (cellY + 1) * height / size - top)
            for cellX in 0..<size {
                let left = cellX * width / size
                let cellWidth = max(1, (cellX + 1) * width / size - left)
                var sum = 0
                for sy in 0..<samples {
                    let row = top + (2 * sy + 1) * cellHeight / (2 * samples)
                    for sx in 0..<samples {
                        sum += luma(row, left + (2 * sx + 1) * cellWidth / (2 * samples))
                    }
                }
                cells[cellY * size + cellX] = UInt8(sum / (samples * samples))
            }
        }
        return cells
    }

    /// Mean absolute cell difference, 0 (same) to 1 (black against white).
    func meanDifference(to other: Thumbnail) -> Double {
        var total = 0
        for (a, b) in zip(cells, other.cells) { total += abs(Int(a) - Int(b)) }
        return Double(total) / Double(cells.count * 255)
    }

    /// Largest single-cell difference, 0 to 1: catches a change confined to a small region, which
    /// a mean would dilute.
    func maxDifference(to other: Thumbnail) -> Double {
        var largest = 0
        for (a, b) in zip(cells, other.cells) { largest = max(largest, abs(Int(a) - Int(b))) }
        return Double(largest) / 255
    }
}
