//! Article extraction (work in progress).
