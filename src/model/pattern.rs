//! Regular expressions compiled once per pattern and thread: a catalog has a few dozen
//! distinct patterns shared by thousands of elements, and compiling one costs far more than
//! anything else done to an element (it was a quarter of an import's time).

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

/// Patterns remembered per thread before the memory starts afresh.
const REMEMBERED: usize = 1024;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Result<Regex, regex::Error>>> =
        RefCell::new(HashMap::new());
}

/// `Regex::new(pattern)`, remembered.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    COMPILED.with(|compiled| {
        if let Some(found) = compiled.borrow().get(pattern) {
            return found.clone();
        }
        let result = Regex::new(pattern);
        let mut compiled = compiled.borrow_mut();
        if compiled.len() >= REMEMBERED {
            compiled.clear();
        }
        compiled.insert(pattern.to_string(), result.clone());
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_pattern_answers_as_a_fresh_one() {
        let unclosed = String::from("(unclosed");
        let fresh = Regex::new(&unclosed).err().map(|e| e.to_string());
        assert!(fresh.is_some());
        for _ in 0..2 {
            let re = compile(r"^\d{6}$").expect("valid");
            assert!(re.is_match("511600") && !re.is_match("51160"));
            assert_eq!(compile(&unclosed).err().map(|e| e.to_string()), fresh);
        }
        // more patterns than are remembered: still right
        for i in 0..REMEMBERED + 10 {
            assert!(compile(&format!("^a{{{i}}}$")).is_ok_and(|re| re.is_match(&"a".repeat(i))));
        }
    }
}
