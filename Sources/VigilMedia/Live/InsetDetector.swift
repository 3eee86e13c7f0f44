/// Finds a picture inset into another (picture-in-picture): a rectangle bounded on all four sides
/// by straight edges, inside the frame.
///
/// A known clip shrunk into a corner of unrelated footage keeps little of its perceptual hash in
/// the whole frame, because the background dominates; hashed on its own it matches again. An
/// inset's sides are step edges that stay on one line for their whole length, which texture,
/// noise and natural outlines rarely do, so the detector looks for four such lines that close a
/// rectangle.
///
/// It works on a grid of cell averages about 120 cells on the short side, so compression noise
/// and the blur of scaling average out, and every later step is a pass over that small grid.
enum InsetDetector {
    /// Luma step (0...255, between the two cells either side of a boundary) that counts as an edge.
    static let edgeStep = 14
    /// Cells along a line that may miss the edge (where inset and background happen to have the
    /// same brightness) without ending the line.
    static let gapCells = 3
    /// Shortest side of an inset, as a fraction of the frame's side.
    static let minimumSide = 0.25
    /// Smallest share of a side's cells on the edge for the side to count.
    static let sideSupport = 0.55
    /// Smallest share over all four sides.
    static let meanSupport = 0.7
    /// Lines kept per direction (the longest), which bounds the rectangle search on busy pictures.
    static let maximumLines = 12
    /// Rectangles within this much support of the best compete on size.
    static let supportMargin = 0.1
    /// Largest luma step one pixel row or column adds to a side's score when placing it, so that
    /// a few strong edges in the inset's content cannot outvote the side itself.
    static let stepCap = 32

    /// The inset rectangle of a picture, or `nil` when none stands out. Only insets clear of the
    /// frame's edges are found (borders are ``BorderDetector``'s job).
    static func insetRect(of picture: ConvertedPicture) -> CropRect? {
        let width = picture.width
        let height = picture.height
        guard width >= 64, height >= 64, picture.pixels.count >= width * height * picture.format.bytesPerPixel else { return nil }
        let grid = LumaCells(picture)
        let columnEdges = EdgeMap(grid, vertical: true)
        let rowEdges = EdgeMap(grid, vertical: false)
        let vertical = columnEdges.lines().longest(maximumLines)
        let horizontal = rowEdges.lines().longest(maximumLines)
        guard vertical.count >= 2, horizontal.count >= 2 else { return nil }

        var qualifying: [(rect: (x0: Int, y0: Int, x1: Int, y1: Int), area: Int, support: Double)] = []
        let minimumColumns = Int(Double(grid.columns) * minimumSide)
        let minimumRows = Int(Double(grid.rows) * minimumSide)
        for left in vertical {
            for right in vertical where right - left >= minimumColumns {
                for top in horizontal {
                    for bottom in horizontal where bottom - top >= minimumRows {
                        let supports = [
                            columnEdges.support(line: left, from: top, to: bottom),
                            columnEdges.support(line: right, from: top, to: bottom),
                            rowEdges.support(line: top, from: left, to: right),
                            rowEdges.support(line: bottom, from: left, to: right),
                        ]
                        let mean = supports.reduce(0, +) / 4
                        guard supports.allSatisfy({ $0 >= sideSupport }), mean >= meanSupport else { continue }
                        qualifying.append(((left, top, right, bottom), (right - left) * (bottom - top), mean))
                    }
                }
            }
        }
        // Of the best-supported rectangles, the largest: an inset's own content often holds
        // straight edges (a door, a wall) that close smaller rectangles inside it.
        let strongest = qualifying.map(\.support).max() ?? 0
        let best = qualifying.filter { $0.support >= strongest - supportMargin }.max { $0.area < $1.area }
        guard let rect = best?.rect else { return nil }
        let cell = grid.cell
        // Cells place the sides only to within a cell; perceptual hashes notice a few pixels of
        // background, so each side moves to the sharpest pixel boundary near it.
        let refined = SidePlacement(picture: picture, search: 2 * cell + 1)
        let x0 = refined.column(near: rect.x0 * cell, rows: rect.y0 * cell..<rect.y1 * cell)
        let x1 = refined.column(near: rect.x1 * cell, rows: rect.y0 * cell..<rect.y1 * cell)
        let y0 = refined.row(near: rect.y0 * cell, columns: rect.x0 * cell..<rect.x1 * cell)
        let y1 = refined.row(near: rect.y1 * cell, columns: rect.x0 * cell..<rect.x1 * cell)
        guard x1 > x0, y1 > y0 else { return nil }
        return CropRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// Finds, near a side's rough position, the pixel boundary where luma steps the most along
    /// the side's length.
    struct SidePlacement {
        let picture: ConvertedPicture
        /// How far (pixels) either side of the rough position to look.
        let search: Int

        private var width: Int { picture.width }
        private var height: Int { picture.height }

        private func luma(_ x: Int, _ y: Int) -> Int {
            picture.luma(row: y, column: x)
        }

        /// The column boundary (between columns `x - 1` and `x`) with the largest summed step over `rows`.
        func column(near rough: Int, rows: Range<Int>) -> Int {
            let span = rows.clamped(to: 0..<height)
            return best(around: rough, limit: width) { x in span.reduce(0) { $0 + min(InsetDetector.stepCap, abs(luma(x, $1) - luma(x - 1, $1))) } }
        }

        /// The row boundary (between rows `y - 1` and `y`) with the largest summed step over `columns`.
        func row(near rough: Int, columns: Range<Int>) -> Int {
            let span = columns.clamped(to: 0..<width)
            return best(around: rough, limit: height) { y in span.reduce(0) { $0 + min(InsetDetector.stepCap, abs(luma($1, y) - luma($1, y - 1))) } }
        }

        private func best(around rough: Int, limit: Int, score: (Int) -> Int) -> Int {
            let candidates = max(1, rough - search)...min(limit - 1, rough + search)
            return candidates.max { score($0) < score($1) } ?? rough
        }
    }

    /// Mean luma of square cells.
    struct LumaCells {
        let cell: Int
        let columns: Int
        let rows: Int
        /// Mean luma, row-major: `rows` rows of `columns` cells.
        let luma: [Int32]

        init(_ picture: ConvertedPicture) {
            let width = picture.width
            let height = picture.height
            let cell = max(1, min(width, height) / 120)
            let columns = width / cell
            let rows = height / cell
            var sums = [Int32](repeating: 0, count: columns * rows)
            picture.pixels.withUnsafeBufferPointer { pixels in
                sums.withUnsafeMutableBufferPointer { sums in
                    guard let pixels = pixels.baseAddress, let sums = sums.baseAddress else { return }
                    if picture.format == .luma8 {
                        Self.sumLuma(pixels, width: width, cell: cell, columns: columns, rows: rows, into: sums)
                    } else {
                        Self.sumRGB(pixels, width: width, cell: cell, columns: columns, rows: rows, into: sums)
                    }
                }
            }
            let area = Int32(cell * cell)
            self.cell = cell
            self.columns = columns
            self.rows = rows
            luma = sums.map { $0 / area }
        }

        /// Cell sums of a luma plane: a band of `cell` rows is first summed column by column (whole
        /// rows at a time, which vectorises), then each cell's columns of that band.
        private static func sumLuma(
            _ pixels: UnsafePointer<UInt8>, width: Int, cell: Int, columns: Int, rows: Int,
            into sums: UnsafeMutablePointer<Int32>
        ) {
            let band = UnsafeMutablePointer<UInt32>.allocate(capacity: width)
            defer { band.deallocate() }
            let vectors = width / 16
            let rawBand = UnsafeMutableRawPointer(band)
            for row in 0..<rows {
                band.update(repeating: 0, count: width)
                for y in (row * cell)..<((row + 1) * cell) {
                    let line = UnsafeRawPointer(pixels + y * width)
                    for v in 0..<vectors {
                        let bytes = line.loadUnaligned(fromByteOffset: v * 16, as: SIMD16<UInt8>.self)
                        let sum = rawBand.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<UInt32>.self)
                            &+ SIMD16<UInt32>(truncatingIfNeeded: bytes)
                        rawBand.storeBytes(of: sum, toByteOffset: v * 64, as: SIMD16<UInt32>.self)
                    }
                    for x in (vectors * 16)..<width { band[x] &+= UInt32(pixels[y * width + x]) }
                }
                var x = 0
                for column in 0..<columns {
                    var sum: UInt32 = 0
                    for _ in 0..<cell {
                        sum &+= band[x]
                        x += 1
                    }
                    sums[row * columns + column] = Int32(sum)
                }
            }
        }

        /// Cell sums of an RGB picture's integer BT.601 luma (precision does not matter for
        /// finding edges), cell by cell along each row: no division per pixel.
        private static func sumRGB(
            _ pixels: UnsafePointer<UInt8>, width: Int, cell: Int, columns: Int, rows: Int,
            into sums: UnsafeMutablePointer<Int32>
        ) {
            for y in 0..<(rows * cell) {
                let row = (y / cell) * columns
                var offset = y * width * 3
                for column in 0..<columns {
                    var sum: Int32 = 0
                    for _ in 0..<cell {
                        let value = 77 * Int32(pixels[offset]) + 150 * Int32(pixels[offset + 1]) + 29 * Int32(pixels[offset + 2])
                        sum += value >> 8
                        offset += 3
                    }
                    sums[row + column] += sum
                }
            }
        }
    }

    /// Where the grid has an edge along one direction's lines, with running counts per line so
    /// that the share of any stretch of a line is one subtraction.
    struct EdgeMap {
        /// Lines (boundaries between cells: line `p` lies before cell `p`) and cells along each.
        let lineCount: Int
        let length: Int
        /// `counts[line * (length + 1) + a]`: edge cells before `a` on the line, counting a cell
        /// when the edge is on the line or one cell either side of it.
        private let counts: [Int32]
        private let edges: [Bool]

        init(_ grid: LumaCells, vertical: Bool) {
            let lineCount = vertical ? grid.columns : grid.rows
            let length = vertical ? grid.rows : grid.columns
            self.lineCount = lineCount
            self.length = length
            // Cell (line p, along a) sits at p · lineStride + a · alongStride in the grid.
            let lineStride = vertical ? 1 : grid.columns
            let alongStride = vertical ? grid.columns : 1
            var edges = [Bool](repeating: false, count: lineCount * length)
            var counts = [Int32](repeating: 0, count: lineCount * (length + 1))
            grid.luma.withUnsafeBufferPointer { luma in
                edges.withUnsafeMutableBufferPointer { edges in
                    for line in 2..<max(2, lineCount - 1) {
                        for along in 1..<max(1, length - 1) {
                            edges[line * length + along] = Self.isEdge(
                                luma, at: line * lineStride + along * alongStride,
                                lineStride: lineStride, alongStride: alongStride)
                        }
                    }
                }
            }
            edges.withUnsafeBufferPointer { edges in
                counts.withUnsafeMutableBufferPointer { counts in
                    for line in 0..<lineCount {
                        // A cell counts when the edge is on this line or a neighbouring one.
                        let previous = edges.baseAddress! + max(0, line - 1) * length
                        let this = edges.baseAddress! + line * length
                        let next = edges.baseAddress! + min(lineCount - 1, line + 1) * length
                        let lineCounts = counts.baseAddress! + line * (length + 1)
                        var running: Int32 = 0
                        for along in 0..<length {
                            lineCounts[along] = running
                            if previous[along] || this[along] || next[along] { running &+= 1 }
                        }
                        lineCounts[length] = running
                    }
                }
            }
            self.edges = edges
            self.counts = counts
        }

        /// Whether the boundary before cell `line` is a step edge at `along`, running along the
        /// line: the two cells before it and the two after differ by at least
        /// ``InsetDetector/edgeStep`` on average (two cells a side absorb an edge blurred across a
        /// cell boundary), and by clearly more than the picture changes along the line there. The
        /// second test is what rejects texture and curved outlines, whose edges point every way.
        /// `cell` is the grid index of (line, along).
        @inline(__always)
        private static func isEdge(
            _ luma: UnsafeBufferPointer<Int32>, at cell: Int, lineStride: Int, alongStride: Int
        ) -> Bool {
            // Cell means are 0...255, so wrapping arithmetic cannot wrap.
            let before = cell &- lineStride
            let across = abs(luma[cell] &+ luma[cell &+ lineStride] &- luma[before] &- luma[before &- lineStride])
            guard across >= Int32(2 * InsetDetector.edgeStep) else { return false }
            let alongBefore = abs(luma[before &+ alongStride] &- luma[before &- alongStride])
            let alongAfter = abs(luma[cell &+ alongStride] &- luma[cell &- alongStride])
            // `across` sums two cells a side; the along-line changes are single-cell differences.
            return across >= 3 * max(alongBefore, alongAfter)
        }

        /// Share of cells from `from` to `to` on the line (or one cell either side of it) that are edges.
        func support(line: Int, from: Int, to: Int) -> Double {
            guard to > from else { return 0 }
            let base = line * (length + 1)
            return Double(counts[base + to] - counts[base + from]) / Double(to - from)
        }

        /// Lines whose longest run of edge (gaps of up to ``InsetDetector/gapCells`` allowed) is
        /// at least half of ``InsetDetector/minimumSide`` of the frame (a side may be cut in two
        /// where the inset matches its background), each with that run's length; of neighbouring
        /// lines (one blurred edge, which the one-cell tolerance of ``support(line:from:to:)``
        /// also spreads) only the longest is kept.
        func lines() -> [(line: Int, run: Int)] {
            let minimumRun = Int(Double(length) * InsetDetector.minimumSide / 2)
            var found: [(line: Int, run: Int)] = []
            for line in 2..<max(2, lineCount - 1) {
                var longest = 0
                var runStart = -1
                var lastHit = Int.min / 2
                for along in 0..<length where edges[line * length + along] {
                    if along - lastHit > InsetDetector.gapCells + 1 { runStart = along }
                    lastHit = along
                    longest = max(longest, along + 1 - runStart)
                }
                guard longest >= minimumRun else { continue }
                if let previous = found.last, line - previous.line <= 2 {
                    if longest > previous.run { found[found.count - 1] = (line, longest) }
                } else {
                    found.append((line, longest))
                }
            }
            return found
        }
    }
}

extension [(line: Int, run: Int)] {
    /// The positions of the `count` longest lines, in position order.
    func longest(_ count: Int) -> [Int] {
        Array(sorted { $0.run > $1.run }.prefix(count)).map(\.line).sorted()
    }
}
