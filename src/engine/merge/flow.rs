//! The order of a bundle's visible items through `depends_on`, the critical path, and
//! text / Graphviz DOT / Mermaid renderings.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use rustc_hash::FxHashMap as HashMap;

use crate::model::{Catalog, Item};

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
    let n = items.len();
    let records: Vec<Option<&Item>> = items.iter().map(|c| catalog.items.get(*c)).collect();
    let days = |i: usize| records[i].map_or(0, |r| r.time_limit_days);
    // each item by its first position; a repeated code is the same item, placed once
    let mut position: HashMap<&str, usize> = HashMap::default();
    let mut placed = vec![false; n];
    for (i, code) in items.iter().enumerate() {
        if position.contains_key(code) {
            placed[i] = true;
        } else {
            position.insert(code, i);
        }
    }
    // what each item needs among the visible items, in depends_on order
    let needs: Vec<Vec<usize>> = records
        .iter()
        .map(|r| {
            r.map(|r| {
                r.depends_on
                    .iter()
                    .filter_map(|d| position.get(d.as_str()).copied())
                    .collect()
            })
            .unwrap_or_default()
        })
        .collect();
    // Kahn's algorithm, picking the earliest remaining item in bundle order each time
    let mut order: Vec<usize> = Vec::with_capacity(n);
    loop {
        let ready = (0..n).find(|&i| !placed[i] && needs[i].iter().all(|&d| placed[d]));
        // a cycle cannot be stored, but never loop forever: take the first unplaced
        let Some(next) = ready.or_else(|| (0..n).find(|&i| !placed[i])) else {
            break;
        };
        placed[next] = true;
        order.push(next);
    }
    let mut finish = vec![0u32; n];
    let mut via: Vec<Option<usize>> = vec![None; n];
    let mut edges = Vec::new();
    for &i in &order {
        let mut start = 0;
        let mut longest: Option<usize> = None;
        for &d in &needs[i] {
            edges.push((items[d].to_string(), items[i].to_string()));
            if longest.is_none() || finish[d] > start {
                start = finish[d];
                longest = Some(d);
            }
        }
        via[i] = longest;
        finish[i] = start + days(i);
    }
    let last = order
        .iter()
        .enumerate()
        .max_by_key(|(k, i)| (finish[**i], std::cmp::Reverse(*k)))
        .map(|(_, i)| *i);
    let mut critical_path = Vec::new();
    let mut cursor = last;
    while let Some(c) = cursor
        && critical_path.len() < n
    {
        critical_path.push(items[c].to_string());
        cursor = via[c];
    }
    critical_path.reverse();
    Flow {
        time_sum_days: (0..n).map(days).sum(),
        time_critical_days: last.map_or(0, |l| finish[l]),
        finish_days: order
            .iter()
            .map(|&i| (items[i].to_string(), finish[i]))
            .collect(),
        order: order.iter().map(|&i| items[i].to_string()).collect(),
        edges,
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

/// A text diagram, one line per item in dependency order: `*` on the critical path, the days
/// the item starts and ends when items run in parallel as soon as they can, a bar over those
/// days at most `bar` columns wide (`█` on the critical path, `░` off it; `#` and `=` with
/// `ascii`), the item's name and time limit, and `← names` of the items it needs. Readable
/// without colour.
pub fn to_text(catalog: &Catalog, flow: &Flow, ascii: bool, bar: usize) -> String {
    let critical: BTreeSet<&str> = flow.critical_path.iter().map(String::as_str).collect();
    let total = u64::from(flow.time_critical_days.max(1));
    // at most three columns a day; every bar at least one column
    let columns = (bar.max(1) as u64).min(total * 3);
    let column = |day: u32| (u64::from(day) * columns / total) as usize;
    let (dash, arrow) = if ascii { ("-", "<-") } else { ("–", "←") };
    flow.order
        .iter()
        .map(|item| {
            let finish = flow.finish_days.get(item).copied().unwrap_or(0);
            let days = catalog
                .items
                .get(item.as_str())
                .map_or(0, |i| i.time_limit_days);
            let start = finish.saturating_sub(days);
            let on_path = critical.contains(item.as_str());
            let glyph = match (on_path, ascii) {
                (true, false) => "█",
                (false, false) => "░",
                (true, true) => "#",
                (false, true) => "=",
            };
            let (from, to) = (column(start), column(finish).max(column(start) + 1));
            let bar = format!(
                "{}{}{}",
                " ".repeat(from),
                glyph.repeat(to - from),
                " ".repeat((columns as usize + 1).saturating_sub(to))
            );
            let needs: Vec<String> = flow
                .edges
                .iter()
                .filter(|(_, b)| b == item)
                .map(|(a, _)| {
                    crate::display::inert(catalog.items.get(a.as_str()).map_or(a, |i| &i.name))
                        .into_owned()
                })
                .collect();
            let after = if needs.is_empty() {
                String::new()
            } else {
                format!("  {arrow} {}", needs.join(", "))
            };
            format!(
                "{} {:>3}{dash}{:<3} {bar}{}{}\n",
                if on_path { "*" } else { " " },
                start,
                finish,
                crate::display::inert(&label(catalog, item)),
                after
            )
        })
        .collect()
}
