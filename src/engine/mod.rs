//! Engines: pure logic over the model, tested without a terminal.

pub mod validate;
