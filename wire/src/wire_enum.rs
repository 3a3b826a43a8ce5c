//! How the wire's enums are declared.

/// Declares an enum of the wire once: its wire values are its variants'
/// names in `$case` (strum's and serde's `rename_all`, so `Display`,
/// `FromStr`, `VARIANTS` and JSON agree), and it has what every such enum
/// has: the standard traits, strum's strings and value list, serde, and
/// `#[non_exhaustive]` (AWS may add values).
macro_rules! wire_enum {
    ($case:literal; $(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[derive(strum::Display, strum::EnumString, strum::IntoStaticStr, strum::VariantNames)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[strum(serialize_all = $case)]
        #[serde(rename_all = $case)]
        #[non_exhaustive]
        $(#[$meta])*
        pub enum $name { $($body)* }
    };
}
