//! The concrete database, and the event logs the incremental tests read.

/// Called with the debug name of every query salsa is about to execute.
pub type ExecutionLog = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// The concrete database used by the CLI, xtask and tests.
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
}

impl Default for RootDatabase {
    fn default() -> Self {
        RootDatabase { storage: salsa::Storage::new(None) }
    }
}

impl RootDatabase {
    /// A database that records every `WillExecute` event into `log`, as
    /// `query_name(Id(..))`; used to prove that edits re-run only what they must.
    pub fn with_execution_log(log: ExecutionLog) -> Self {
        RootDatabase::logging(log, false)
    }

    /// `with_execution_log`, and every memo salsa validates instead of
    /// running, as `validated query_name(Id(..))`: what an edit makes salsa
    /// visit.
    pub fn with_visit_log(log: ExecutionLog) -> Self {
        RootDatabase::logging(log, true)
    }

    fn logging(log: ExecutionLog, validations: bool) -> Self {
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            let entry = match event.kind {
                salsa::EventKind::WillExecute { database_key } => format!("{database_key:?}"),
                salsa::EventKind::DidValidateMemoizedValue { database_key } if validations => {
                    format!("validated {database_key:?}")
                }
                _ => return,
            };
            if let Ok(mut entries) = log.lock() {
                entries.push(entry);
            }
        })));
        RootDatabase { storage }
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}
