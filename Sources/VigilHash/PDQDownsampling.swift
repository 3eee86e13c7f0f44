/// How a picture is blurred and shrunk to the 64x64 that PDQ transforms.
///
/// Both compute the same filter; they differ in the order of floating point operations, and so in
/// the last bits of some values.
public enum PDQDownsampling: Sendable, CaseIterable {
    /// The reference's running sums over the whole picture: hashes equal Meta's bit for bit. For
    /// hashes that are compared with Meta's tools (`vigil hash`, image lists, vPDQ output).
    case exact
    /// One weighted sum per kept sample, computed only where decimation samples: several times
    /// faster, and within a few bits of ``exact`` on pictures of any quality worth matching. For
    /// pictures that are not bit-exact to begin with (the decoder's luma plane of a live stream).
    case direct
}
