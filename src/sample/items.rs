//! Items at all four levels: for every family a main item, its sub-items, one
//! implementation (实施清单) per region with an implementing agency, and the handling
//! variants (办理项) of each implementation. Scale groups repeat the families.

use std::collections::HashMap;

use compact_str::CompactString;
use fastrand::Rng;

use super::elements::numbered;
use super::families::{FAMILIES, Family, Sub, subject_material};
use super::materials::Materials;
use super::regions::{BUNDLE_CITY, BUNDLE_COUNTY, PROVINCE, Places};
use crate::model::{Item, ItemLevel, ItemType, Origin, SharedText, Status};

/// One implementation of a sub-item in a region, with its handling variants.
pub(super) struct Impl {
    /// Scale group (1 = the base dataset).
    pub group: u32,
    /// The family of the sub-item.
    pub family: &'static Family,
    /// The sub-item implemented.
    pub sub: &'static Sub,
    /// Region code.
    pub region: String,
    /// Index of the implementation item in [`Items::all`].
    pub item: usize,
    /// Handling variants: name and index in [`Items::all`].
    pub handlings: Vec<(&'static str, usize)>,
}

/// Every item, and the implementations among them.
pub(super) struct Items {
    /// Every item, main items first within each family.
    pub all: Vec<Item>,
    /// Every implementation, in item order.
    pub impls: Vec<Impl>,
}

impl Items {
    /// Builds the items of scale groups `1..=scale`.
    pub fn new(places: &Places, materials: &Materials, scale: u32) -> Self {
        let mut items = Self {
            all: Vec::new(),
            impls: Vec::new(),
        };
        for group in 1..=scale {
            let mut rng = Rng::with_seed(0x1735_0000 + u64::from(group));
            let first_impl = items.impls.len();
            for (index, family) in FAMILIES.iter().enumerate() {
                let number = (group as usize - 1) * FAMILIES.len() + index + 1;
                let builder = Builder {
                    places,
                    materials,
                    family,
                    group,
                    number,
                };
                builder.family(&mut items, &mut rng);
            }
            items.link_dependencies(first_impl);
        }
        items
    }

    /// The base implementation of sub-item `key` that bundles use: 广安区's, else 广安市's.
    pub fn pick(&self, key: &str) -> Option<&Impl> {
        [BUNDLE_COUNTY, BUNDLE_CITY].into_iter().find_map(|region| {
            self.impls
                .iter()
                .take_while(|i| i.group == 1)
                .find(|i| i.sub.key == key && i.region == region)
        })
    }

    /// The code of the item at `index` in [`Items::all`].
    pub fn code(&self, index: usize) -> Option<&str> {
        self.all.get(index).map(|i| i.code.as_str())
    }

    /// Points each implementation from `first` on at the implementations, in its group and
    /// region, of the sub-items its family depends on.
    fn link_dependencies(&mut self, first: usize) {
        let by_key: HashMap<(&str, &str), usize> = self.impls[first..]
            .iter()
            .map(|i| ((i.sub.key, i.region.as_str()), i.item))
            .collect();
        let mut links = Vec::new();
        for implementation in &self.impls[first..] {
            for key in implementation.family.depends {
                if let Some(&target) = by_key.get(&(*key, implementation.region.as_str())) {
                    links.push((implementation.item, target));
                }
            }
        }
        for (from, to) in links {
            let code = self.all[to].code.clone();
            self.all[from].depends_on.push(code);
        }
    }
}

/// Builds the items of one family in one scale group.
struct Builder<'a> {
    places: &'a Places,
    materials: &'a Materials,
    family: &'static Family,
    group: u32,
    /// Family number within the whole catalog (1-based).
    number: usize,
}

impl Builder<'_> {
    fn family(&self, items: &mut Items, rng: &mut Rng) {
        let code = format!("{}{:05}000", self.family.item_type.code(), self.number);
        let (agency, region) = self.catalog_owner();
        let main = Item {
            code: code.as_str().into(),
            name: self.name(self.family.name).into(),
            agency: agency.clone(),
            region: region.clone(),
            ..self.base(rng)
        };
        items.all.push(main);
        for (index, sub) in self.family.subs.iter().enumerate() {
            let sub_code = format!(
                "{}{:05}{:03}",
                self.family.item_type.code(),
                self.number,
                index + 1
            );
            items.all.push(Item {
                code: sub_code.as_str().into(),
                name: self.name(sub.name).into(),
                level: ItemLevel::Sub,
                parent: Some(code.as_str().into()),
                agency: agency.clone(),
                region: region.clone(),
                ..self.base(rng)
            });
            self.implementations(items, sub, &sub_code, rng);
        }
    }

    /// The agency and region of the catalog levels (main and sub items): the province's
    /// department where there is one.
    fn catalog_owner(&self) -> (Option<SharedText>, Option<SharedText>) {
        let top = self.places.top(self.family.depts);
        (
            top.map(|a| a.code.as_str().into()),
            top.and_then(|a| a.region.as_deref())
                .or(Some(PROVINCE))
                .map(SharedText::from),
        )
    }

    /// One implementation of `sub` per region of its levels that has an implementing
    /// agency, each followed by its handling variants.
    fn implementations(&self, items: &mut Items, sub: &'static Sub, sub_code: &str, rng: &mut Rng) {
        let levels = if sub.levels.is_empty() {
            self.family.levels
        } else {
            sub.levels
        };
        let depts = if sub.depts.is_empty() {
            self.family.depts
        } else {
            sub.depts
        };
        for region in self.places.regions_at(levels) {
            let Some(agency) = self.places.first_agency(depts, region) else {
                continue;
            };
            let item = items.all.len();
            items.all.push(Item {
                code: format!("{sub_code}-{region}000000-000-{agency}-1-00").into(),
                name: self.name(sub.name).into(),
                level: ItemLevel::Impl,
                parent: Some(sub_code.into()),
                agency: Some(agency.into()),
                region: Some(region.into()),
                materials: self.materials_of(sub, None).into(),
                origin: Origin::Claimed,
                ..self.base(rng)
            });
            let handlings = self.handlings(items, sub, item, rng);
            items.impls.push(Impl {
                group: self.group,
                family: self.family,
                sub,
                region: region.to_string(),
                item,
                handlings,
            });
        }
    }

    /// The handling variants of the implementation at `index`, numbered `-01`, `-02`, ...
    /// where the implementation is `-00`.
    fn handlings(
        &self,
        items: &mut Items,
        sub: &'static Sub,
        index: usize,
        rng: &mut Rng,
    ) -> Vec<(&'static str, usize)> {
        let Some(parent) = items.all.get(index).cloned() else {
            return Vec::new();
        };
        let stem = parent.code.strip_suffix("-00").unwrap_or(&parent.code);
        let mut handlings = Vec::new();
        for (n, &handling) in sub.handlings.iter().enumerate() {
            let varied = self.varied(rng);
            handlings.push((handling, items.all.len()));
            items.all.push(Item {
                code: format!("{stem}-{:02}", n + 1).into(),
                name: self.name(&format!("{}（{handling}）", sub.name)).into(),
                level: ItemLevel::Handling,
                parent: Some(parent.code.as_str().into()),
                materials: self.materials_of(sub, Some(handling)).into(),
                time_limit_days: varied.time_limit_days,
                online_depth: varied.online_depth,
                status: varied.status,
                version: varied.version,
                ..parent.clone()
            });
        }
        handlings
    }

    /// Material codes of an implementation (`handling` None) or of a handling variant:
    /// its form, the applicant's identity material, then the sub-item's own list.
    fn materials_of(&self, sub: &Sub, handling: Option<&str>) -> Vec<CompactString> {
        let handling_form = handling.and_then(|h| {
            sub.handling_forms()
                .find(|(name, _, _)| *name == h)
                .map(|(_, form, _)| form)
        });
        let names: Vec<String> = match handling_form {
            Some(form) => [
                Some(form),
                sub.form
                    .and_then(|f| subject_material(f.handling_subject()))
                    .map(String::from),
            ]
            .into_iter()
            .flatten()
            .collect(),
            None => sub
                .form
                .map(|f| f.name)
                .into_iter()
                .chain(sub.form.and_then(|f| subject_material(f.subject)))
                .chain(sub.materials.iter().copied())
                .map(String::from)
                .collect(),
        };
        let mut codes: Vec<CompactString> = Vec::new();
        for name in names {
            if let Some(code) = self.materials.code(&name)
                && !codes.iter().any(|c| c == code)
            {
                codes.push(code.into());
            }
        }
        codes
    }

    /// The item's name in this scale group.
    fn name(&self, name: &str) -> String {
        if self.group == 1 {
            name.to_string()
        } else {
            numbered(name, self.group)
        }
    }

    /// A published main item of the family with times, fee and depth filled in.
    fn base(&self, rng: &mut Rng) -> Item {
        let legal = self.family.legal_days.max(2);
        let depth = if self.family.item_type == ItemType::Licensing {
            rng.u8(2..=4)
        } else {
            rng.u8(1..=4)
        };
        Item {
            code: String::new().into(),
            name: String::new().into(),
            level: ItemLevel::Main,
            parent: None,
            item_type: self.family.item_type,
            agency: None,
            region: None,
            basis: self.family.basis.into(),
            time_limit_days: 1 + rng.u32(0..legal.div_ceil(2)),
            legal_limit_days: legal,
            fee: self.family.fee.into(),
            online_depth: depth,
            depends_on: Default::default(),
            materials: Default::default(),
            status: Status::Published,
            version: rng.u32(1..=3),
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        }
    }

    /// As [`Builder::base`], with now and then a status other than published.
    fn varied(&self, rng: &mut Rng) -> Item {
        let item = self.base(rng);
        let status = match rng.u32(0..30) {
            0 => Status::Submitted,
            1 => Status::Returned,
            2 => Status::Draft,
            _ => return item,
        };
        Item {
            status,
            version: u32::from(status != Status::Draft),
            ..item
        }
    }
}
