//! The items of a file in blocks (of `BLOCK` items, or `SMALL_BLOCK` in a
//! file of fewer than `4 * BLOCK`: `block_len`), for the queries that read every
//! item after every edit (`file_wide_checks`, `analyze_file`): they fetch one
//! memo per block instead of one per item. After an edit inside an item
//! already edited, only that item's block is computed again (the others read
//! HIGH inputs only, and salsa takes them as valid in one comparison): the
//! 40,000 per-item fetches of a 10 MB file were a fifth of an edit. What a
//! block's items use of the others is resolved here too (`block_uses`), so
//! that the file-wide checks do not look up every reference of the file by
//! name after each edit.

use std::sync::Arc;

use super::{Database, ItemDef, SourceFile, file_items, item_index, variant_findings};
use crate::item_check::ItemAnalysis;

/// How many items a block of a large file holds.
const BLOCK: usize = 64;

/// How many items a block of a file of fewer than `4 * BLOCK` items holds:
/// there an edit re-resolves the uses of 8 items, not of every item
/// (`policies.pcl`, 55 items, a next edit inside a policy: 713k -> 682k
/// instructions in blocks of 8; 679k in blocks of 4, 704k in blocks of 16).
const SMALL_BLOCK: usize = 8;

/// Files with fewer items fetch each item's memo.
const BLOCKS_FROM_ITEMS: usize = 3 * SMALL_BLOCK;

/// How many items each block of a file of `items` holds.
fn block_len(items: usize) -> usize {
    if items >= 4 * BLOCK { BLOCK } else { SMALL_BLOCK }
}

/// Whether the file-level queries read this file's items by blocks.
pub fn by_blocks(db: &dyn Database, file: SourceFile) -> bool {
    file_items(db, file).len() >= BLOCKS_FROM_ITEMS
}

/// The items of a file from its `first`-th, `block_len` of them (fewer at the end).
#[salsa::interned(debug)]
pub struct ItemBlock<'db> {
    pub file: SourceFile,
    pub first: usize,
}

/// The blocks of a file's items. Made in a query that reads HIGH inputs
/// only (the item list), so the blocks, and the memos keyed by them, are
/// HIGH too.
#[salsa::tracked(returns(ref))]
pub fn item_blocks(db: &dyn Database, file: SourceFile) -> Vec<ItemBlock<'_>> {
    let items = file_items(db, file).len();
    (0..items).step_by(block_len(items)).map(|first| ItemBlock::new(db, file, first)).collect()
}

/// Each item's `check_item` in a block (shared). `no_eq`: read only by the
/// file-level queries, which run again after every edit anyway.
#[salsa::tracked(returns(ref), no_eq)]
pub fn block_checks<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> Vec<Arc<ItemAnalysis>> {
    let one_time = block.file(db).opened_once(db);
    members(db, block).iter().map(|item| Arc::clone(super::one_time::analysis_of(db, *item, one_time))).collect()
}

/// What a block's items use of the file's items (`uses::of`): after an edit
/// inside an item, only its block resolves its references again.
#[salsa::tracked(returns(ref))]
pub fn block_uses<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> crate::uses::Uses {
    let Some(first) = members(db, block).first() else { return Default::default() };
    let index = item_index(db, first.file(db));
    let first_place = *block.first(db);
    let names = block_names(db, block).iter();
    let using = names.zip(block_checks(db, block)).enumerate().map(|(at, ((name, first), analysis))| {
        crate::uses::UsingItem { place: first_place + at, name, first: *first, analysis }
    });
    crate::uses::of(using, &|name| index.position(name))
}

/// The names of a block's items, each with whether it is the first
/// definition of its name. From HIGH fields only: `block_uses` reads this
/// one memo, not two fields per item, and a first edit of an item, which
/// verifies every `block_uses`, walks one dependency here instead of 16.
#[salsa::tracked(returns(ref))]
pub fn block_names<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> Vec<(pcl_syntax::Name, bool)> {
    members(db, block).iter().map(|item| (*item.name(db), item.occurrence(db) == 0)).collect()
}

/// The policies and roles of a block that are the first definition of
/// their name (what `analyze_file` reports the per-configuration findings
/// of), with their places in the file. From HIGH fields only (declaration,
/// occurrence): an edit inside an item leaves it unvisited.
#[salsa::tracked(returns(ref))]
pub fn block_renders<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> Vec<(usize, ItemDef)> {
    let first = *block.first(db);
    let reported = members(db, block).iter().enumerate().filter(|(_, item)| reports_findings(db, **item));
    reported.map(|(at, item)| (first + at, *item)).collect()
}

/// The deployed names of the policies and roles of a block that are the
/// first definition of their name, under the file's default configuration
/// (`deployed_names::deployed`). Backdated while they stay the same: an
/// edit that changes no deployed name leaves `deployed_clashes` as it was.
///
/// In a block of policies with headers only, each name is read from the
/// policy's header (`policy_header`, HIGH, which no edit inside its
/// statements reaches: `policies.pcl`, an edit inside `head_node`, 15k
/// instructions fewer than finding every name again); in any other block
/// (a role, or a splittable policy, is read from its check), from the
/// block's checks: one dependency to verify after a first edit, not one per
/// policy (the 10 MB corpus, whose every block holds roles: 133.6M
/// instructions a first edit, 135.3M read from the headers).
#[salsa::tracked(returns(ref))]
pub fn block_deployed<'db>(
    db: &'db dyn Database,
    block: ItemBlock<'db>,
) -> Vec<crate::deployed_names::Deployed<'static>> {
    let file = *block.file(db);
    let Some(config) = default_config(db, file) else { return Vec::new() };
    let program = &super::configuring::messageless_program(db, file).program;
    let renders = block_renders(db, block);
    let first = *block.first(db);
    let checks = match renders.iter().all(|(_, item)| item.header(db).is_some()) {
        true => None,
        false => Some(block_checks(db, block)),
    };
    renders
        .iter()
        .filter_map(|(place, item)| {
            let analysis = match checks {
                Some(checks) => checks.get(place.checked_sub(first)?)?,
                None => super::policy_header(db, *item).as_ref()?.analysis(),
            };
            let at = u32::try_from(*place).ok()?;
            let found = crate::deployed_names::deployed(
                program,
                &config.params,
                (item.name(db), at, analysis.name_span),
                &analysis.ir,
            );
            // relative to the item's name: a header's spans are already
            found.map(|d| d.relative_to_name(analysis.name_span.start).into_owned())
        })
        .collect()
}

/// The file's configuration with nothing given (every param at its default
/// or placeholder): what deployed names are rendered with, memoized (made
/// again after every edit, it was 1.2 % of an edit of `policies.pcl`).
/// `None` when the params and features do not make one.
#[salsa::tracked(returns(ref))]
pub fn default_config(db: &dyn Database, file: SourceFile) -> Option<crate::config::Config> {
    crate::config::configure(&super::configuring::messageless_program(db, file).program, &[]).ok()
}

/// The clashes among the deployed names of a file read by blocks (each
/// later one with the first it clashes with), under its default
/// configuration: found again only when a block's names change
/// (`block_deployed`; `policies.pcl`, an edit inside `head_node`: 15k
/// instructions fewer than finding them from the program after each edit).
/// A file too small for blocks finds them from its program.
#[salsa::tracked(returns(ref))]
pub fn deployed_clashes(db: &dyn Database, file: SourceFile) -> Vec<crate::deployed_names::Clash> {
    let Some(config) = default_config(db, file) else { return Vec::new() };
    let per_block: Vec<_> = item_blocks(db, file).iter().map(|block| block_deployed(db, *block)).collect();
    let count = per_block.iter().map(|deployed| deployed.len()).sum();
    let all = per_block.iter().flat_map(|deployed| deployed.iter());
    let found = crate::deployed_names::clashes(
        (all, count),
        &super::configuring::messageless_program(db, file).program,
        config,
    );
    found.into_iter().map(|(later, first)| (later.clone(), first.clone())).collect()
}

/// The items of a block.
fn members<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> &'db [ItemDef] {
    let items = file_items(db, *block.file(db));
    let first = *block.first(db);
    items.get(first..(first + block_len(items.len())).min(items.len())).unwrap_or_default()
}

/// A policy or role that is the first definition of its name: the items
/// whose per-configuration findings a file reports (duplicates are
/// dropped). From HIGH fields only.
pub(super) fn reports_findings(db: &dyn Database, item: ItemDef) -> bool {
    item.occurrence(db) == 0 && item.declaration(db).renders()
}

/// The places of the items of `block_renders` whose per-configuration
/// checks found something: `analyze_file` fetches those `variant_findings`
/// only.
#[salsa::tracked(returns(ref))]
pub fn block_findings<'db>(db: &'db dyn Database, block: ItemBlock<'db>) -> Vec<usize> {
    let renders = block_renders(db, block);
    renders.iter().filter(|(_, item)| !variant_findings(db, *item).findings.is_empty()).map(|(at, _)| *at).collect()
}

/// What the items of a file too small for blocks use (`uses::of`). Their
/// names are read from the parse, not the inputs: a field read is one more
/// dependency to verify after each edit.
pub(super) fn whole_file_uses(
    db: &dyn Database,
    file: SourceFile,
    (parsed, analyses): (&[pcl_syntax::ParsedItem], &[std::sync::Arc<ItemAnalysis>]),
) -> crate::uses::Uses {
    let index = item_index(db, file);
    let using = parsed.iter().zip(analyses).enumerate().map(|(at, (parsed_item, analysis))| {
        let name = &parsed_item.item.name().name;
        crate::uses::UsingItem { place: at, name, first: index.position(name) == Some(at), analysis }
    });
    crate::uses::of(using, &|name| index.position(name))
}
