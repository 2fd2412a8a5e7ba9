//! Rendering of a checked `Program` into IAM JSON: policy documents, roles
//! in the shape of CloudFormation `AWS::IAM::Role` properties, and an
//! `index.json` manifest. Output is deterministic byte for byte: keys are in
//! a fixed order, variants in feature-declaration order, files sorted.

mod json;
mod plan;

pub use json::{policy_document, role_properties};
pub use plan::{
    IndexEntry, Output, OutputKind, hex, index_json, index_json_of, output_path, render_all, render_each, render_one,
    sha256_hex,
};
