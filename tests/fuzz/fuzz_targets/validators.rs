//! Every validator: the first byte picks a kind, the second an element of that kind from the
//! sample catalog; the rest is the value. `validate_kind` and `validate_element` both run;
//! for `pattern` the value's first line is also tried as the element's regular expression.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use yibiao::engine::validate::{validate_element, validate_kind};
use yibiao::model::{Element, ElementKind};

/// The sample's elements, grouped by kind (in `ElementKind::ALL` order).
static ELEMENTS: LazyLock<Vec<Vec<Element>>> = LazyLock::new(|| {
    let catalog = yibiao::sample::generate(1);
    ElementKind::ALL
        .iter()
        .map(|k| {
            catalog
                .elements
                .values()
                .filter(|e| e.kind == *k)
                .cloned()
                .collect()
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let [pick, which, rest @ ..] = data else {
        return;
    };
    let Ok(value) = std::str::from_utf8(rest) else {
        return;
    };
    let k = usize::from(*pick) % ElementKind::ALL.len();
    let kind = ElementKind::ALL[k];
    if let Err(rejection) = validate_kind(kind, value) {
        let _ = rejection.message(yibiao::i18n::Lang::Zh);
    }
    let of_kind = &ELEMENTS[k];
    if of_kind.is_empty() {
        return;
    }
    let element = &of_kind[usize::from(*which) % of_kind.len()];
    let _ = validate_element(element, value);
    if kind == ElementKind::Pattern
        && let Some((pattern, value)) = value.split_once('\n')
    {
        let mut element = element.clone();
        element.pattern = Some(pattern.to_string());
        let _ = validate_element(&element, value);
    }
});
