//! What the incremental tests share: salsa's execution log, read by item.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use pcl_semantics::{ExecutionLog, RootDatabase, SourceFile, analyze_file, file_items};
use salsa::plumbing::AsId;

/// The events logged since the last call, the log emptied.
pub fn take(log: &ExecutionLog) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// `check_item(Id(..))` event names per item name.
pub fn check_item_keys(db: &RootDatabase, file: SourceFile) -> BTreeMap<String, String> {
    query_keys(db, file, "check_item")
}

/// `<query>(Id(..))` event names per item name, for a query keyed by item.
pub fn query_keys(db: &RootDatabase, file: SourceFile, query: &str) -> BTreeMap<String, String> {
    file_items(db, file)
        .iter()
        .map(|item| (item.name(db).to_string(), format!("{query}({:?})", item.as_id())))
        .collect()
}

/// `text` opened and analysed, its log emptied: the database, the file,
/// the log and the `check_item` event names by item name.
pub fn analysed(text: &str) -> (RootDatabase, SourceFile, ExecutionLog, BTreeMap<String, String>) {
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text.into());
    analyze_file(&db, file);
    let keys = check_item_keys(&db, file);
    take(&log);
    (db, file, log, keys)
}

/// The names of the items whose event (by `keys`) is in `log`.
pub fn checked(log: &[String], keys: &BTreeMap<String, String>) -> Vec<String> {
    keys.iter().filter(|(_, key)| log.contains(key)).map(|(name, _)| name.clone()).collect()
}
