/// How RGB is turned into luma before hashing.
///
/// Meta publishes PDQ in two forms that differ only here: the C++ library (and vPDQ, built on it)
/// computes `0.299 R + 0.587 G + 0.114 B` in single precision, while the `pdqhash` Python binding —
/// what python-threatexchange and HMA hash images with — computes it in double precision and rounds
/// to float. Most images hash identically either way; flat and gradient images can differ in a few
/// bits. Pick the form whose hashes you will be compared with.
public enum LumaPrecision: Sendable, CaseIterable {
    /// Double-precision luma, as the `pdqhash` binding: image hash lists from python-threatexchange/HMA.
    case double
    /// Single-precision luma, as the C++ library and vPDQ: video hashes from vPDQ.
    case single
}
