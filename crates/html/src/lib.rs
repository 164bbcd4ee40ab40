//! Fast lenient HTML parsing (work in progress).
