//! The order of a bundle's visible items through `depends_on`, the critical path, and
//! text / Graphviz DOT / Mermaid renderings.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::Catalog;

/// Visible items ordered so that every item follows what it depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Items in dependency order (ties in bundle order).
    pub order: Vec<String>,
    /// Edges (needed item → item that needs it) among visible items.
    pub edges: Vec<(String, String)>,
    /// Days until each item is done when items run in parallel as soon as they can.
    pub finish_days: BTreeMap<String, u32>,
    /// The longest chain, first item first.
    pub critical_path: Vec<String>,
    /// Sum of the visible items' time limits.
    pub time_sum_days: u32,
    /// Length of the critical path in days.
    pub time_critical_days: u32,
}

/// Computes the flow of `items` (visible, in bundle order).
pub fn flow(catalog: &Catalog, items: &[&str]) -> Flow {
    let visible: BTreeSet<&str> = items.iter().copied().collect();
    let days = |code: &str| catalog.items.get(code).map_or(0, |i| i.time_limit_days);
    let needs = |code: &str| -> Vec<&str> {
        catalog
            .items
            .get(code)
            .map(|i| {
                i.depends_on
                    .iter()
                    .map(String::as_str)
                    .filter(|d| visible.contains(d))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Kahn's algorithm, picking the earliest remaining item in bundle order each time
    let mut order: Vec<String> = Vec::with_capacity(items.len());
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    while order.len() < items.len() {
        let next = items
            .iter()
            .find(|i| !placed.contains(*i) && needs(i).iter().all(|d| placed.contains(d)))
            // a cycle cannot be stored, but never loop forever: take the first unplaced
            .or_else(|| items.iter().find(|i| !placed.contains(*i)));
        let Some(next) = next else { break };
        placed.insert(next);
        order.push(next.to_string());
    }
    let mut finish: BTreeMap<String, u32> = BTreeMap::new();
    let mut via: BTreeMap<&str, &str> = BTreeMap::new();
    let mut edges = Vec::new();
    for item in &order {
        let mut start = 0;
        let mut longest: Option<&str> = None;
        for dep in needs(item) {
            edges.push((dep.to_string(), item.clone()));
            let f = finish.get(dep).copied().unwrap_or(0);
            if longest.is_none() || f > start {
                start = f;
                longest = Some(dep);
            }
        }
        if let Some(dep) = longest {
            via.insert(item.as_str(), dep);
        }
        finish.insert(item.clone(), start + days(item));
    }
    let last = order.iter().max_by_key(|i| {
        (
            finish.get(*i).copied().unwrap_or(0),
            std::cmp::Reverse(order.iter().position(|x| x == *i)),
        )
    });
    let mut critical_path = Vec::new();
    let mut cursor = last.map(String::as_str);
    while let Some(c) = cursor {
        critical_path.push(c.to_string());
        cursor = via.get(c).copied();
    }
    critical_path.reverse();
    Flow {
        time_sum_days: items.iter().map(|i| days(i)).sum(),
        time_critical_days: last.and_then(|l| finish.get(l)).copied().unwrap_or(0),
        order,
        edges,
        finish_days: finish,
        critical_path,
    }
}

fn label(catalog: &Catalog, code: &str) -> String {
    let item = catalog.items.get(code);
    let name = item.map_or("", |i| i.name.as_str());
    let days = item.map_or(0, |i| i.time_limit_days);
    format!("{name}（{days}天）").replace('"', "'")
}

/// Graphviz DOT; the critical path drawn bold and red.
pub fn to_dot(catalog: &Catalog, flow: &Flow) -> String {
    let critical: BTreeSet<&str> = flow.critical_path.iter().map(String::as_str).collect();
    let on_path = |a: &str, b: &str| {
        flow.critical_path
            .windows(2)
            .any(|w| w[0] == a && w[1] == b)
    };
    let mut out = String::from("digraph flow {\n  rankdir=LR;\n  node [shape=box];\n");
    for item in &flow.order {
        let style = if critical.contains(item.as_str()) {
            ", style=bold, color=red"
        } else {
            ""
        };
        out.push_str(&format!(
            "  \"{item}\" [label=\"{}\"{style}];\n",
            label(catalog, item)
        ));
    }
    for (a, b) in &flow.edges {
        let style = if on_path(a, b) {
            " [style=bold, color=red]"
        } else {
            ""
        };
        out.push_str(&format!("  \"{a}\" -> \"{b}\"{style};\n"));
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart; critical items get the `critical` class.
pub fn to_mermaid(catalog: &Catalog, flow: &Flow) -> String {
    let id = |code: &str| {
        format!(
            "n{}",
            flow.order.iter().position(|x| x == code).unwrap_or(0)
        )
    };
    let mut out = String::from("flowchart LR\n");
    for item in &flow.order {
        out.push_str(&format!("  {}[\"{}\"]\n", id(item), label(catalog, item)));
    }
    for (a, b) in &flow.edges {
        out.push_str(&format!("  {} --> {}\n", id(a), id(b)));
    }
    if !flow.critical_path.is_empty() {
        let ids: Vec<String> = flow.critical_path.iter().map(|c| id(c)).collect();
        out.push_str(&format!(
            "  classDef critical stroke:#c00,stroke-width:3px\n  class {} critical\n",
            ids.join(",")
        ));
    }
    out
}

/// A text diagram: one line per item with its start–finish days, `*` on the critical path.
pub fn to_text(catalog: &Catalog, flow: &Flow) -> String {
    let critical: BTreeSet<&str> = flow.critical_path.iter().map(String::as_str).collect();
    flow.order
        .iter()
        .map(|item| {
            let finish = flow.finish_days.get(item).copied().unwrap_or(0);
            let days = catalog.items.get(item).map_or(0, |i| i.time_limit_days);
            let needs: Vec<&str> = flow
                .edges
                .iter()
                .filter(|(_, b)| b == item)
                .map(|(a, _)| a.as_str())
                .collect();
            let after = if needs.is_empty() {
                String::new()
            } else {
                format!("  ← {}", needs.join(", "))
            };
            format!(
                "{} {:>3}–{:<3} {}{}\n",
                if critical.contains(item.as_str()) {
                    "*"
                } else {
                    " "
                },
                finish - days,
                finish,
                crate::display::inert(&label(catalog, item)),
                after
            )
        })
        .collect()
}
