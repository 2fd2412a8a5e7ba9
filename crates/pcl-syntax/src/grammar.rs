//! The pest grammar (`pcl.pest`) and its generated parser. Only `parser`
//! and `lower` see pest's types.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "pcl.pest"]
pub(crate) struct PclParser;
