//! How the wire's enums and shapes are declared.

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

/// Declares a shape of the wire once (a struct, or a union as an enum):
/// its members under their camelCase wire names, which document them; the
/// standard traits and serde; and `#[non_exhaustive]` (AWS may add
/// members). Further derives (`Eq`, `Copy`) come with the declaration.
macro_rules! wire_shape {
    ($(#[$meta:meta])* pub $item:ident $name:ident { $($body:tt)* }) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(missing_docs)] // members are documented by their wire names
        #[non_exhaustive]
        $(#[$meta])*
        pub $item $name { $($body)* }
    };
}
