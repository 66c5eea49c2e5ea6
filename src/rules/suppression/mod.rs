//! 0xx: about asynclint itself — suppressions that hide nothing.

pub mod unused_suppression;
