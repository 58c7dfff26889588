//! Catalog statistics: counts by region, agency, item type, level and status; element reuse;
//! and the reduction each bundle achieves (fields, materials, days before → after).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{Bundle, Catalog, Kind, OutlineSource, RecordRef, RecordSource, Status};

use super::merge::situation::Answers;
use super::merge::{all_answer_sets, merge_with};

/// How many answer sets of one bundle are merged at most (questions multiply them).
pub const MAX_ANSWER_SETS: usize = 4096;
/// How many rows the "most reused" table keeps.
const TOP: usize = 20;

/// A named count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Code of what is counted by.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub count: usize,
}

/// Element reuse.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reuse {
    /// Elements by number of bound fields, most first (top 20).
    pub most_reused: Vec<Count>,
    /// Elements bound to no field and parent of no element.
    pub never_used: usize,
    /// Fields bound to an element, over all fields (0–1); `None` (JSON `null`) when there
    /// are no fields, where no share is defined.
    pub bound_share: Option<f64>,
    /// Unbound fields per agency of the form's item, most first.
    pub unbound_by_agency: Vec<Count>,
}

/// One answer set's before → after figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reduction {
    /// The answers.
    pub answers: Answers,
    /// Visible source fields.
    pub fields_before: usize,
    /// Merged fields.
    pub fields_after: usize,
    /// Visible item–material rows.
    pub materials_before: usize,
    /// Distinct materials.
    pub materials_after: usize,
    /// Distinct shareable materials.
    pub materials_exempt: usize,
    /// Sum of time limits.
    pub days_before: u32,
    /// Critical path.
    pub days_after: u32,
}

/// A bundle's reduction for its typical and its worst answer set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReduction {
    /// Bundle code.
    pub code: String,
    /// Bundle name.
    pub name: String,
    /// How many answer sets were merged.
    pub answer_sets: usize,
    /// The most common answers: every question's first option (options are listed most
    /// common first).
    pub typical: Reduction,
    /// The answer set with the largest merged form (then most materials, most days).
    pub worst: Reduction,
    /// The answer set with the largest field reduction.
    pub best: Reduction,
}

/// Counts over the catalog; the first seven keys are the record counts per kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// 行政区划.
    pub regions: usize,
    /// 实施主体.
    pub agencies: usize,
    /// 数据元.
    pub elements: usize,
    /// 事项.
    pub items: usize,
    /// 材料.
    pub materials: usize,
    /// 申请表.
    pub forms: usize,
    /// 主题.
    pub bundles: usize,
    /// Form fields over all forms.
    pub fields: usize,
    /// Form fields bound to no element.
    pub unbound_fields: usize,
    /// Items per level (`main`, `sub`, `impl`, `handling`).
    pub items_by_level: BTreeMap<String, usize>,
    /// Items per type code (`01` … `20`).
    pub items_by_type: BTreeMap<String, usize>,
    /// Records per status, per kind that has one (`items`, `elements`, `forms`, `bundles`).
    pub by_status: BTreeMap<String, BTreeMap<String, usize>>,
    /// Elements per kind.
    pub elements_by_kind: BTreeMap<String, usize>,
    /// Items per region, most first.
    pub items_by_region: Vec<Count>,
    /// Items per agency, most first.
    pub items_by_agency: Vec<Count>,
    /// Element reuse.
    pub reuse: Reuse,
    /// Per-bundle reduction.
    pub bundle_reduction: Vec<BundleReduction>,
}

impl Stats {
    /// Whether the figures agree with one another (each breakdown adds up to its total), as
    /// [`stats`] leaves them: statistics read back from a file are taken only if they do.
    pub fn is_sound(&self) -> bool {
        let sum = |counts: &BTreeMap<String, usize>| counts.values().sum::<usize>();
        let ranked = |counts: &[Count]| counts.iter().map(|c| c.count).sum::<usize>();
        let statuses = |kind: &str| self.by_status.get(kind).map(sum);
        self.items == sum(&self.items_by_level)
            && self.items == sum(&self.items_by_type)
            && self.items == ranked(&self.items_by_region)
            && self.items == ranked(&self.items_by_agency)
            && self.elements == sum(&self.elements_by_kind)
            && statuses("items") == Some(self.items)
            && statuses("elements") == Some(self.elements)
            && statuses("forms") == Some(self.forms)
            && statuses("bundles") == Some(self.bundles)
            && self.unbound_fields <= self.fields
            && self.unbound_fields == ranked(&self.reuse.unbound_by_agency)
            && self.reuse.never_used <= self.elements
            && self.bundle_reduction.len() <= self.bundles
    }
}

fn status_counts(statuses: impl Iterator<Item = Status>) -> BTreeMap<String, usize> {
    let mut out: BTreeMap<String, usize> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for s in statuses {
        *out.entry(s.as_str().to_string()).or_default() += 1;
    }
    out
}

/// Sorts counts most first, then by code; drops zeros.
fn ranked(counts: HashMap<String, usize>, name: impl Fn(&str) -> String) -> Vec<Count> {
    let mut out: Vec<Count> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(code, count)| Count {
            name: name(&code),
            code,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    out
}

/// Computes every statistic.
pub fn stats(catalog: &Catalog) -> Stats {
    let uses = |code: &str| {
        let mut uses = Uses::default();
        for r in catalog.referrers(Kind::Element, code) {
            uses.referenced = true;
            uses.fields += usize::from(r.kind == Kind::Form);
        }
        uses
    };
    let reduction = |b: &Bundle| Ok(bundle_reduction(catalog, &b.code));
    // a catalog in memory reads without fail
    count(catalog, catalog, &uses, reduction).unwrap_or_default()
}

/// How an element is used, as [`count`] asks: how many form fields bind it, and whether
/// anything references it at all (a field, an element under it).
#[derive(Clone, Copy, Debug, Default)]
pub struct Uses {
    /// Form fields bound to it.
    pub fields: usize,
    /// Whether anything references it.
    pub referenced: bool,
}

/// Computes every statistic of the records `records` gives a kind at a time (the loaded
/// catalog, or a store read a record at a time), with `outline` for the agency of a form's
/// item and the names of regions and agencies, `uses` for how each element is used, and
/// `reduction` for a bundle's reduction (`None`: an unknown bundle, which leaves the list
/// empty). A million elements' store is counted so within a few megabytes besides those
/// sources; the figures are [`stats`]'s of the same records. A read that fails stops it.
pub fn count(
    records: &impl RecordSource,
    outline: &impl OutlineSource,
    uses: &dyn Fn(&str) -> Uses,
    mut reduction: impl FnMut(&Bundle) -> std::io::Result<Option<BundleReduction>>,
) -> std::io::Result<Stats> {
    let mut s = Stats::default();
    let mut statuses: BTreeMap<&'static str, Vec<Status>> = BTreeMap::new();
    let mut unbound_by_agency: HashMap<String, usize> = HashMap::new();
    let mut by_region: HashMap<String, usize> = HashMap::new();
    let mut by_agency: HashMap<String, usize> = HashMap::new();
    let mut most_reused = TopCounts::default();
    let mut reductions = Some(Vec::new());
    for kind in Kind::ALL {
        let mut n = 0;
        records.each_record(kind, &mut |record| {
            n += 1;
            match record {
                RecordRef::Form(form) => {
                    let agency = form
                        .item
                        .as_deref()
                        .and_then(|i| outline.item(i))
                        .and_then(|i| i.agency)
                        .unwrap_or_default();
                    for (_, _, field) in form.fields() {
                        s.fields += 1;
                        if field.element.is_none() {
                            s.unbound_fields += 1;
                            *unbound_by_agency.entry(agency.to_string()).or_default() += 1;
                        }
                    }
                    statuses.entry("forms").or_default().push(form.status);
                }
                RecordRef::Item(item) => {
                    *s.items_by_level
                        .entry(item.level.as_str().into())
                        .or_default() += 1;
                    *s.items_by_type
                        .entry(item.item_type.code().into())
                        .or_default() += 1;
                    *by_region
                        .entry(item.region.as_deref().unwrap_or_default().to_string())
                        .or_default() += 1;
                    *by_agency
                        .entry(item.agency.as_deref().unwrap_or_default().to_string())
                        .or_default() += 1;
                    statuses.entry("items").or_default().push(item.status);
                }
                RecordRef::Element(element) => {
                    *s.elements_by_kind
                        .entry(element.kind.as_str().into())
                        .or_default() += 1;
                    statuses.entry("elements").or_default().push(element.status);
                    let used = uses(&element.code);
                    s.reuse.never_used += usize::from(!used.referenced);
                    most_reused.offer(used.fields, &element.code, &element.name);
                }
                RecordRef::Bundle(bundle) => {
                    statuses.entry("bundles").or_default().push(bundle.status);
                    let found = reduction(bundle)?;
                    reductions = reductions.take().zip(found).map(|(mut all, r)| {
                        all.push(r);
                        all
                    });
                }
                _ => {}
            }
            Ok(())
        })?;
        match kind {
            Kind::Region => s.regions = n,
            Kind::Agency => s.agencies = n,
            Kind::Element => s.elements = n,
            Kind::Item => s.items = n,
            Kind::Material => s.materials = n,
            Kind::Form => s.forms = n,
            Kind::Bundle => s.bundles = n,
        }
    }
    for kind in ["items", "elements", "forms", "bundles"] {
        let list = statuses.remove(kind).unwrap_or_default();
        s.by_status
            .insert(kind.into(), status_counts(list.into_iter()));
    }
    let region_name = |c: &str| {
        outline
            .region_name(c)
            .map_or_else(|| "（未填）".to_string(), str::to_string)
    };
    let agency_name = |c: &str| {
        outline
            .agency_name(c)
            .map_or_else(|| "（未填）".to_string(), str::to_string)
    };
    s.items_by_region = ranked(by_region, region_name);
    s.items_by_agency = ranked(by_agency, agency_name);
    let (fields, unbound) = (s.fields, s.unbound_fields);
    s.reuse.most_reused = most_reused.0;
    s.reuse.bound_share = (fields > 0).then(|| (fields - unbound) as f64 / fields as f64);
    s.reuse.unbound_by_agency = ranked(unbound_by_agency, agency_name);
    s.bundle_reduction = reductions.unwrap_or_default();
    Ok(s)
}

/// The [`TOP`] counts ranked first (most first, then by code), zeros left out, kept as
/// they are offered: a million elements' uses are never held at once.
#[derive(Default)]
struct TopCounts(Vec<Count>);

impl TopCounts {
    fn offer(&mut self, count: usize, code: &str, name: &str) {
        if count == 0 {
            return;
        }
        let before = |c: &Count| c.count > count || (c.count == count && c.code.as_str() < code);
        let at = self.0.partition_point(before);
        if at < TOP {
            self.0.insert(
                at,
                Count {
                    code: code.to_string(),
                    name: name.to_string(),
                    count,
                },
            );
            self.0.truncate(TOP);
        }
    }
}

fn reduction(m: &super::merge::Merge) -> Reduction {
    Reduction {
        answers: m.answers.clone(),
        fields_before: m.stats.fields_before,
        fields_after: m.stats.fields_after,
        materials_before: m.stats.materials_before,
        materials_after: m.stats.materials_after,
        materials_exempt: m.stats.materials_exempt,
        days_before: m.stats.time_sum_days,
        days_after: m.stats.time_critical_days,
    }
}

/// The reduction of one bundle: typical, worst and best answer sets (at most
/// [`MAX_ANSWER_SETS`] sets are merged). `None` for an unknown bundle.
pub fn bundle_reduction(catalog: &Catalog, code: &str) -> Option<BundleReduction> {
    let bundle = catalog.bundles.get(code)?;
    let excluded = BTreeSet::new();
    let typical_answers: Answers = bundle
        .questions
        .iter()
        .filter_map(|q| Some((q.key.clone(), q.options.first()?.key.clone())))
        .collect();
    // counts only: suggestions (and the element pool they look at) change no figure
    let merge = |a: &Answers| merge_with(catalog, bundle, a, &excluded, None);
    let typical = reduction(&merge(&typical_answers));
    let sets: Vec<Answers> = all_answer_sets(bundle)
        .into_iter()
        .take(MAX_ANSWER_SETS)
        .collect();
    let all: Vec<Reduction> = sets.iter().map(|a| reduction(&merge(a))).collect();
    let worst = all
        .iter()
        .max_by_key(|r| (r.fields_after, r.materials_after, r.days_after))
        .cloned()
        .unwrap_or_else(|| typical.clone());
    let saved = |r: &Reduction| r.fields_before.saturating_sub(r.fields_after);
    let best = all
        .iter()
        .max_by(|a, b| {
            let share = |r: &Reduction| saved(r) as f64 / r.fields_before.max(1) as f64;
            share(a).total_cmp(&share(b)).then(saved(a).cmp(&saved(b)))
        })
        .cloned()
        .unwrap_or_else(|| typical.clone());
    Some(BundleReduction {
        code: bundle.code.to_string(),
        name: bundle.name.to_string(),
        answer_sets: sets.len(),
        typical,
        worst,
        best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_example_is_the_samples() {
        let s = stats(&crate::sample::generate(1));
        let readme = include_str!("../../README.md");
        let example = readme
            .split("$ yibiao stats --json\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("the README's stats --json example");
        for expected in [
            format!("\"elements\": {}, \"items\": {}", s.elements, s.items),
            format!(
                "\"fields\": {}, \"unbound_fields\": {}",
                s.fields, s.unbound_fields
            ),
            format!(
                "\"never_used\": {}, \"bound_share\": {}",
                s.reuse.never_used,
                s.reuse.bound_share.expect("the sample has fields")
            ),
            format!("\"draft\": {}", s.by_status["items"]["draft"]),
        ] {
            assert!(example.contains(&expected), "{expected} in {example}");
        }
    }

    #[test]
    fn statistics_that_do_not_add_up_are_not_sound() {
        let s = stats(&crate::sample::generate(1));
        assert!(s.is_sound());
        assert!(stats(&Catalog::default()).is_sound());
        let breaks: [fn(&mut Stats); 8] = [
            |s| s.items += 1,
            |s| s.elements -= 1,
            |s| s.forms += 1,
            |s| s.bundles += 1,
            |s| s.unbound_fields = s.fields + 1,
            |s| s.reuse.never_used = s.elements + 1,
            |s| s.items_by_region[0].count += 1,
            |s| {
                s.by_status.remove("forms");
            },
        ];
        for (n, broken) in breaks.into_iter().enumerate() {
            let mut bad = s.clone();
            broken(&mut bad);
            assert!(!bad.is_sound(), "break {n}");
        }
    }

    #[test]
    fn no_fields_have_no_bound_share() {
        let s = stats(&Catalog::default());
        assert_eq!(s.fields, 0);
        assert_eq!(s.reuse.bound_share, None);
        let json = serde_json::to_value(&s).expect("stats serialise");
        assert_eq!(json["reuse"]["bound_share"], serde_json::Value::Null);
        let sample = stats(&crate::sample::generate(1));
        assert!(sample.reuse.bound_share.is_some_and(|b| b > 0.99));
    }

    #[test]
    fn sample_statistics_add_up() {
        let catalog = crate::sample::generate(1);
        let s = stats(&catalog);
        assert_eq!(s.items, s.items_by_level.values().sum::<usize>());
        assert_eq!(s.items, s.items_by_type.values().sum::<usize>());
        assert_eq!(
            s.items,
            s.items_by_region.iter().map(|c| c.count).sum::<usize>()
        );
        assert_eq!(
            s.items,
            s.items_by_agency.iter().map(|c| c.count).sum::<usize>()
        );
        assert_eq!(s.items, s.by_status["items"].values().sum::<usize>());
        assert_eq!(
            s.unbound_fields,
            s.reuse
                .unbound_by_agency
                .iter()
                .map(|c| c.count)
                .sum::<usize>()
        );
        assert!(
            s.reuse
                .most_reused
                .windows(2)
                .all(|w| w[0].count >= w[1].count)
        );
        assert_eq!(s.bundle_reduction.len(), s.bundles);
        for b in &s.bundle_reduction {
            assert!(b.worst.fields_after >= b.typical.fields_after, "{}", b.code);
            assert!(b.best.fields_after <= b.best.fields_before);
            assert!(b.typical.days_after <= b.typical.days_before);
        }
        // 我要开餐馆 reaches at least 40% for its best answer set
        let restaurant = s
            .bundle_reduction
            .iter()
            .find(|b| b.name == "我要开餐馆")
            .expect("bundle");
        let best = &restaurant.best;
        assert!(best.fields_after * 10 <= best.fields_before * 6, "{best:?}");
    }
}
