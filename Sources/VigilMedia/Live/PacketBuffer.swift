/// The compressed packets since the last key frame, kept so the reader can decode them after all
/// when it has to abandon key-frame sampling (see ``KeyframeGapTracker``). Packets share their
/// payload with the demuxer's (reference counting), so buffering costs no copies.
struct PacketBuffer {
    /// Most payload bytes held; beyond it the buffer reports itself full.
    let byteLimit: Int
    /// Most packets held, whatever their size.
    let countLimit: Int

    private(set) var packets: [Packet] = []
    private(set) var bytes = 0

    init(byteLimit: Int, countLimit: Int = 4096) {
        self.byteLimit = byteLimit
        self.countLimit = countLimit
    }

    /// Whether the buffer has reached a limit.
    var isFull: Bool { bytes >= byteLimit || packets.count >= countLimit }

    /// Starts over at a key frame.
    mutating func restart(with packet: Packet) {
        removeAll()
        append(packet)
    }

    /// Adds a packet unless the buffer is already full.
    mutating func append(_ packet: Packet) {
        guard !isFull else { return }
        packets.append(packet)
        bytes += packet.size
    }

    mutating func removeAll() {
        packets.removeAll()
        bytes = 0
    }
}
