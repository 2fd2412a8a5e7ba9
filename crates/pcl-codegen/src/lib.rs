//! Rendering of a checked `Program` into IAM JSON: policy documents, roles
//! in the shape of CloudFormation `AWS::IAM::Role` properties, and an
//! `index.json` manifest. Output is deterministic byte for byte: keys are in
//! a fixed order, configurations in feature-declaration order, files sorted.

mod documents;
mod index;
mod json;
mod plan;
mod pretty;
mod quota;
mod split;

pub use documents::{render_one, render_parts, render_parts_reading};
pub use index::{
    CONFIGURATION_KEYS, FILE_KEYS, INDEX_FORMAT, INDEX_KEYS, IndexBuilder, OPTIONAL_CONFIGURATION_KEYS, hex,
    index_json, sha256_hex,
};
pub use json::RoleFacts;
pub use plan::{
    Configuration, File, Output, OutputKind, Rendered, output_path, render_all, render_each, render_item, render_items,
};
pub use quota::{Quotas, quota_findings};
