//! How a walk decides guards: each comparison looked up, or what is left
//! of the guard once a configuration's params decided theirs.

use pcl_syntax::Name;

use super::{Env, FixedGuards};
use crate::ir::{Cond, Guard, ParamValue};

impl<'a> Env<'a> {
    pub(super) fn lookup_ref(&self, var: &str) -> Option<&'a str> {
        if let Some(v) = self.features.get(var) {
            return Some(v);
        }
        match self.params.get(var) {
            Some(ParamValue::One(v)) => Some(v),
            _ => None,
        }
    }

    /// Whether the guard holds. A param it reads is noted in `reads` too: a
    /// param left at its placeholder decides what renders then, and a
    /// document so decided is no more deployable than one that shows it.
    pub fn holds(&self, when: &Guard) -> bool {
        if let Some(fixed) = self.fixed
            && let Some(c) = when.as_deref()
        {
            return self.holds_deciding(c, fixed);
        }
        when.as_deref().is_none_or(|c| self.holds_as_written(c))
    }

    /// Whether `c` holds, each comparison evaluated.
    fn holds_as_written(&self, c: &Cond) -> bool {
        c.holds(&|v| {
            if self.reads.is_some() && !self.features.contains_key(v) && self.params.contains_key(v) {
                self.read(Name::new(v));
            }
            self.lookup_ref(v)
        })
    }

    /// `holds` for a guard of a walk in one of a configuration's
    /// assignments: what is left of it once `fixed` decided its params.
    /// (What a guard reads is noted as it is evaluated, so never from the
    /// table; one comparison costs no more than the table's lookup.)
    #[inline(never)]
    fn holds_deciding(&self, c: &Cond, fixed: &FixedGuards) -> bool {
        let compound = matches!(c, Cond::And(..) | Cond::Or(..) | Cond::Not(..));
        let simplified = match compound && self.reads.is_none() {
            true => fixed.simplified(c, self.program, &|v| self.lookup_ref(v)),
            false => None,
        };
        match simplified {
            Some(simplified) => simplified.holds(&|v| self.lookup_ref(v)),
            None => self.holds_as_written(c),
        }
    }
}
