import CMalloc

/// Hands memory the allocator holds free back to the system.
///
/// A bank is loaded on several threads at once, and glibc gives each thread's allocations their
/// own arena, which keeps what is freed for later use by that arena. A 200,000-hash bank (21 MiB
/// in the daemon) reloaded twelve times settled about 30 MiB above its loaded size without this,
/// and about 16 MiB above with it (`BankReloadMemoryTests`).
enum FreedMemory {
    /// Returns every arena's free pages to the system; a few milliseconds, after a bank swap.
    static func returnToSystem() {
        _ = malloc_trim(0)
    }
}
