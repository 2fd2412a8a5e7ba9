//! Statements' renderings kept across items and edits, per thread: an edit
//! of a set renders again, in the policies that use it, only the statements
//! that read the set (`policies.pcl`, a next edit of `dynamodb_item_rw`:
//! 690k -> 565k instructions). A statement is known by its address and those
//! of the blocks around it; what it renders is valid while every item it
//! reads is the same IR, at the same address.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use pcl_syntax::SmolStr;
use rustc_hash::FxHashMap as HashMap;

use super::Pass;
use super::statements::StatementSummary;
use crate::ir::{ConditionEntry, ItemIr, ParamValue, Program, Statement};
use crate::variants;

/// A statement's renderings under one configuration. The addresses in its
/// key and in `reads` are kept from reuse by `_held`, which holds every item
/// reached from the policy it was found in (the statement, the blocks around
/// it and what they read are all among those): an equal address is the same,
/// unchanged, item.
pub(super) struct KnownRenderings {
    /// `None` for renderings not kept (`unkept`).
    _held: Option<Rc<[Arc<ItemIr>]>>,
    /// The items the statement and its blocks read, and the address of
    /// each one's IR (0: not in the program).
    reads: Vec<(SmolStr, usize)>,
    /// The variables its rendering reads.
    pub vars: Vec<String>,
    /// Its summaries, by the values of `vars`.
    by_values: RefCell<HashMap<Vec<Option<SmolStr>>, Rc<StatementSummary>>>,
}

impl KnownRenderings {
    /// `s` inside `blocks`, as `program` has it, none rendered yet.
    pub fn new(program: &Program, s: &Statement, blocks: &[&ConditionEntry], held: Rc<[Arc<ItemIr>]>) -> Self {
        let (vars, reads) = variants::statement_reads(program, s, blocks);
        let reads = reads.into_iter().map(|name| (SmolStr::new(name), address_of(program, name))).collect();
        KnownRenderings { _held: Some(held), reads, vars, by_values: RefCell::default() }
    }

    /// `s` inside `blocks`, for one pass only: its variables.
    pub fn unkept(program: &Program, s: &Statement, blocks: &[&ConditionEntry]) -> Self {
        let vars = variants::statement_vars(program, s, blocks);
        KnownRenderings { _held: None, reads: Vec::new(), vars, by_values: RefCell::default() }
    }

    /// Its summary under these values of its variables, if rendered.
    pub fn summary(&self, values: &[Option<SmolStr>]) -> Option<Rc<StatementSummary>> {
        self.by_values.borrow().get(values).cloned()
    }

    pub fn keep(&self, values: Vec<Option<SmolStr>>, summary: Rc<StatementSummary>) {
        self.by_values.borrow_mut().insert(values, summary);
    }

    /// Whether every item it read is still `program`'s.
    fn still_read(&self, program: &Program) -> bool {
        self.reads.iter().all(|(name, ir)| address_of(program, name) == *ir)
    }
}

/// The address of the IR of the item `name` (0 when the program has none).
fn address_of(program: &Program, name: &str) -> usize {
    program.get(name).map_or(0, |item| Arc::as_ptr(&item.ir) as usize)
}

/// A statement's address and those of the blocks around it.
pub(super) type StatementKey = (usize, Vec<usize>);

/// The renderings of statements kept under one configuration.
#[derive(Default)]
pub(super) struct KnownStatements {
    renderings: HashMap<StatementKey, Rc<KnownRenderings>>,
}

impl KnownStatements {
    /// The renderings kept for `key`, if what they read is `program`'s.
    pub fn valid(&self, key: &StatementKey, program: &Program) -> Option<Rc<KnownRenderings>> {
        self.renderings.get(key).filter(|known| known.still_read(program)).cloned()
    }
}

/// The items a rendering kept from `program` holds (see `KnownRenderings`):
/// those `reaching` reaches, or all when `None` (the program is the closure
/// of the item whose statements are rendered).
pub(super) fn held(program: &Program, reaching: Option<&str>) -> Rc<[Arc<ItemIr>]> {
    match reaching {
        Some(item) => {
            let reached = variants::reachable(program, item).into_iter().filter_map(|name| program.get(name));
            reached.map(|i| Arc::clone(&i.ir)).collect()
        }
        None => program.items().iter().map(|i| Arc::clone(&i.ir)).collect(),
    }
}

/// What a rendering reads besides its statement: the configuration's
/// params, the pass and the partition.
struct Configuration {
    params: BTreeMap<String, ParamValue>,
    pass: Pass,
    partition: String,
    known: Rc<RefCell<KnownStatements>>,
}

/// What is kept under each configuration.
#[derive(Default)]
struct AllKnown {
    configurations: Vec<Configuration>,
    /// How many statements' renderings are kept, in all.
    count: usize,
}

/// Statements' renderings kept before all are forgotten (a long-lived
/// process starts over rather than grow without end).
const KNOWN_CAPACITY: usize = 8_192;

/// Configurations kept before all are forgotten.
const KNOWN_CONFIGURATIONS: usize = 16;

thread_local! {
    static KNOWN: RefCell<AllKnown> = RefCell::default();
}

/// The renderings kept under a configuration.
pub(super) fn for_configuration(
    params: &BTreeMap<String, ParamValue>,
    pass: Pass,
    partition: &str,
) -> Rc<RefCell<KnownStatements>> {
    KNOWN.with(|all| {
        let mut all = all.borrow_mut();
        let same = |c: &&Configuration| c.pass == pass && c.partition == partition && c.params == *params;
        if let Some(found) = all.configurations.iter().find(same) {
            return Rc::clone(&found.known);
        }
        if all.configurations.len() >= KNOWN_CONFIGURATIONS {
            *all = AllKnown::default();
        }
        let known = Rc::new(RefCell::new(KnownStatements::default()));
        let configuration =
            Configuration { params: params.clone(), pass, partition: partition.to_string(), known: Rc::clone(&known) };
        all.configurations.push(configuration);
        known
    })
}

/// Keeps `found` for `key` under the configuration of `known`, forgetting
/// everything first when full.
pub(super) fn insert(known: &RefCell<KnownStatements>, key: StatementKey, found: Rc<KnownRenderings>) {
    KNOWN.with(|all| {
        let mut all = all.borrow_mut();
        all.count += 1;
        if all.count > KNOWN_CAPACITY {
            all.count = 1;
            for configuration in &all.configurations {
                configuration.known.borrow_mut().renderings.clear();
            }
        }
    });
    known.borrow_mut().renderings.insert(key, found);
}
