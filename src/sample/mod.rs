//! placeholder
/// Placeholder until the sample generator lands.
pub fn generate(_scale: u32) -> crate::model::Catalog {
    crate::model::Catalog::default()
}
