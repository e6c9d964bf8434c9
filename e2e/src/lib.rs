//! End-to-end checks of Atende. The browser tests live in `tests/browser.rs` (helpers in
//! `tests/support/`); they start the real `atende` binary and drive Debian's Chromium through
//! ChromeDriver.
