//! The driver: the one writer of a file's inputs. It cuts a text into items
//! (the memoized chunk parses of `parsing.rs`) and keeps one `ItemDef` input
//! per item, matched to the item of the previous text by its name and
//! occurrence, setting only the fields that changed, each with the
//! durability it changes with:
//! - the text (LOW): read by the file-level queries only;
//! - the list of items and the names that did not parse (HIGH): changed by
//!   an add, a removal, a rename or a move;
//! - an item's declaration (HIGH): what the symbol table reads;
//! - a policy's header (HIGH): what a role that attaches it reads;
//! - an item's body: MEDIUM until the item is edited, LOW after (a
//!   param's, feature's or constraint's: always HIGH, as what nearly every
//!   check reads of them, `configuring_items`, must keep its durability to
//!   be backdated; in a small file, a set's edited in its doc comments only
//!   stays MEDIUM: see `item_writes.rs`).
//!
//! So an edit inside an item already edited changes LOW inputs only, and
//! salsa takes every memo that read MEDIUM and HIGH inputs alone (every
//! other item's checks, name lookups, closures, per-configuration findings)
//! as valid in one comparison, without walking its dependencies. Salsa
//! reports a write at the durability the field had: the first edit of an
//! item invalidates the MEDIUM memos (those that read some body: they are
//! verified, as after any edit before this driver), but not the HIGH ones
//! (the symbol table, name lookups, the headers of attached policies), the
//! next ones only the LOW ones. At most `EDITED_AT_MOST` items stay LOW:
//! past that, during a write that is MEDIUM or HIGH anyway, the others are
//! made MEDIUM (or HIGH) again (each re-checked once, and found equal).

use pcl_syntax::Name;
use salsa::{Durability, Setter};

use super::item_writes::{
    Changes, Cut, SETS_STAY_MEDIUM_BELOW_ITEMS, new_item, reuse_item, unedited_body, update_item,
};
use super::parsing::{FileParse, ItemWindow, parse_text, reparse};
use super::text_change::{OutsideText, TextChange};
use super::{ItemDef, RootDatabase, SourceFile};

/// The room a spliced text's buffer is given when an edit outgrows it, and
/// when opened to edit (`SourceFile::open_to_edit`): typing that much more
/// moves its end, but copies it to no new buffer.
const SPLICE_ROOM: usize = 64 * 1024;

/// How many edited items keep a LOW body (see the module's comment).
const EDITED_AT_MOST: usize = 8;

/// The items of a parse, with their occurrence among items of the same name,
/// made one at a time as the inputs are: all of them at once, beside the
/// inputs' pages, cost the 10 MB corpus's check 2.4 MiB of its peak.
fn cut(parse: &FileParse) -> impl Iterator<Item = Cut> + '_ {
    let items = parse.parsed.items.iter().enumerate();
    items.zip(occurrences(parse)).map(|((at, p), occurrence)| Cut::of(parse, at, p, occurrence))
}

impl SourceFile {
    /// Opened for one check (`open`, `open_on`), not to edit: its items
    /// were checked as it was opened (`one_time.rs`).
    pub(crate) fn opened_once(self, db: &dyn super::Database) -> bool {
        !*self.editing(db)
    }

    /// A new file in the database, its chunks parsed on one thread.
    pub fn open(db: &mut RootDatabase, path: String, text: String) -> SourceFile {
        SourceFile::open_on(db, path, text, 1)
    }

    /// A new file in the database; a large one's chunks are parsed, and its
    /// items checked, on every thread of rayon's pool when `threads` is
    /// above 1.
    pub fn open_on(db: &mut RootDatabase, path: String, text: String, threads: usize) -> SourceFile {
        SourceFile::open_with(db, (path, text), threads, false)
    }

    /// A new file in the database that an editor will splice its edits into
    /// (`splice_text`): its text is given room to grow first, so that the
    /// first keystroke does not copy it.
    pub fn open_to_edit(db: &mut RootDatabase, path: String, mut text: String) -> SourceFile {
        text.reserve_exact(SPLICE_ROOM);
        SourceFile::open_with(db, (path, text), 1, true)
    }

    /// A new file, `editing` or not (see the field).
    fn open_with(db: &mut RootDatabase, (path, text): (String, String), threads: usize, editing: bool) -> SourceFile {
        let parse = match editing {
            true => parse_text(db, &text),
            false => super::one_time::parse_and_check(db, &text, threads),
        };
        let parse = std::sync::Arc::new(parse);
        let broken = parse.parsed.broken_names.clone();
        let large = text.len() >= super::PARALLEL_FROM_BYTES;
        let state = DriverState::default();
        let source = (text, std::sync::Arc::clone(&parse));
        let file = SourceFile::builder(path, source, Vec::new(), broken, state, editing, (), None)
            .durability(Durability::HIGH)
            .source_durability(Durability::LOW)
            .driver_durability(Durability::LOW)
            .low_floor_durability(Durability::LOW)
            .once_findings_durability(Durability::LOW)
            .new(&*db);
        let items: Vec<ItemDef> = cut(&parse).map(|cut| new_item(db, file, cut)).collect();
        drop(parse);
        file.set_item_defs(db).to(items);
        if !editing && large {
            // its per-configuration checks too, with no memo per item
            let found = super::parallel::once_findings(db, file, threads);
            file.set_once_findings(db).to(Some(std::sync::Arc::new(found)));
        }
        file
    }

    /// Replaces the file's text: the chunks the edit may have changed are
    /// cut and parsed again (`parsing::reparse`), their items matched to
    /// the old ones, and each field of each input set only if it changed
    /// (see the module's comment).
    pub fn replace_text(self, db: &mut RootDatabase, text: String) {
        let change = TextChange::between(self.text(db), &text);
        self.edit_text(db, text, change);
    }

    /// Replaces the bytes `range` of the file's text with `inserted` (an
    /// editor's edit), as `replace_text` does. The text is edited in place,
    /// so where it changed is known, not taken on trust: the texts are never
    /// compared, and a large one is not copied (each keystroke in a 10 MB
    /// file copied it, into pages new to the process). `Err`, and nothing
    /// changed, when `range` is not within the text or does not start and
    /// end at characters. (A panic caught between taking the text out and
    /// writing the new one would leave the file's text empty: a caller that
    /// catches panics sets the whole text again, with `replace_text`.)
    pub fn splice_text(
        self,
        db: &mut RootDatabase,
        range: std::ops::Range<usize>,
        inserted: &str,
    ) -> Result<(), OutsideText> {
        let old = self.text(db);
        let at_characters = old.get(range.start..).is_some() && old.get(range.end..).is_some();
        if !at_characters || range.start > range.end {
            return Err(OutsideText);
        }
        let old_len = old.len();
        // the text taken out of its input, to be edited in place (one more
        // write of a LOW field: nothing runs between the two)
        let old_parse = std::sync::Arc::clone(&self.source(db).1);
        let (mut text, _) = self.set_source(db).to((String::new(), std::sync::Arc::clone(&old_parse)));
        let grows_by = inserted.len().saturating_sub(range.end - range.start);
        if text.capacity() - text.len() < grows_by {
            // room for this edit and for typing after it, without doubling a
            // large text's buffer
            text.reserve_exact(grows_by + SPLICE_ROOM);
        }
        text.replace_range(range.clone(), inserted);
        let change = TextChange { start: range.start, old_end: range.end, new_end: range.start + inserted.len() };
        self.apply_change(db, text, old_len, change);
        Ok(())
    }

    /// Replaces the file's text, told where it changed (see `TextChange`),
    /// as `replace_text` does. The change is tested against the texts (two
    /// comparisons of the bytes it says are alike, in every build); one that
    /// does not hold is found by comparing them. An editor's edit is
    /// cheaper through `splice_text`, which need not test it.
    pub fn edit_text(self, db: &mut RootDatabase, text: String, change: TextChange) {
        let old = self.text(db);
        let change = if change.holds(old, &text) { change } else { TextChange::between(old, &text) };
        let old_len = old.len();
        self.apply_change(db, text, old_len, change);
    }

    /// Replaces the file's text, whose length was `old_len`, `change`
    /// saying where it changed (it holds).
    fn apply_change(self, db: &mut RootDatabase, text: String, old_len: usize, change: TextChange) {
        let old_parse = std::sync::Arc::clone(&self.source(db).1);
        let (mut parse, window) = match *self.editing(db) {
            true => reparse(db, &old_parse, old_len, &text, change),
            // kept for no edit: parsed and checked again whole, every item
            // compared with its old input
            false => {
                let parse = super::one_time::parse_and_check(db, &text, 1);
                let (old_end, new_end) = (old_parse.parsed.items.len(), parse.parsed.items.len());
                (parse, ItemWindow { start: 0, old_end, new_end })
            }
        };
        if self.once_findings(db).is_some() {
            // made for the text as it was opened
            self.set_once_findings(db).to(None);
        }
        let broken = parse.parsed.broken_names.clone();
        let old = self.item_defs(db).clone();
        let DriverState { mut edited, mut spare, .. } = self.driver(db).clone();
        let slots = match window_slots(db, &old, &old_parse, &parse, window) {
            Some(slots) => slots,
            None => {
                let (slots, gone) = all_slots(&old, &old_parse, &parse, window);
                spare.extend(gone.into_iter().rev());
                slots
            }
        };
        let list_changed = old.len() != slots.len()
            || old.iter().zip(&slots).any(|(def, slot)| match slot {
                Slot::Same(kept) | Slot::Kept(kept, _) => kept != def,
                Slot::Fresh(_) => true,
            });
        let broken_changed = broken != *self.broken_names(db);
        // what changed in each kept item, compared once
        let changes: Vec<Changes> = slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Kept(def, cut) => Some(Changes::of(db, *def, cut)),
                _ => None,
            })
            .collect();
        let kept = slots.iter().filter_map(|slot| match slot {
            Slot::Kept(def, _) => Some(def),
            _ => None,
        });
        let high_write = list_changed
            || broken_changed
            || changes.iter().zip(kept).any(|(changed, def)| changed.is_high_write(edited.contains(def)));
        let mut changes = changes.into_iter();
        // the writes, now that nothing more is read
        let small = slots.len() < SETS_STAY_MEDIUM_BELOW_ITEMS;
        let mut items = Vec::with_capacity(slots.len());
        for slot in slots {
            let def = match slot {
                Slot::Same(def) => def,
                Slot::Kept(def, cut) => {
                    update_item(db, def, *cut, changes.next().unwrap_or_default(), &mut edited, small);
                    def
                }
                Slot::Fresh(cut) => match spare.pop() {
                    Some(def) => {
                        edited.retain(|e| *e != def);
                        reuse_item(db, def, *cut)
                    }
                    None => new_item(db, self, *cut),
                },
            };
            items.push(def);
        }
        edited.retain(|def| !spare.contains(def));
        if high_write && edited.len() > EDITED_AT_MOST {
            // made MEDIUM again while those memos are verified anyway: each
            // of these items is checked once more (and found equal)
            let keep = edited.len() - 1;
            for def in edited.drain(..keep) {
                let body = def.body(db).clone();
                let durability = unedited_body(def.declaration(db));
                def.set_body(db).with_durability(durability).to(body);
            }
        }
        // a one-time file's parse shares each item's check with its input
        // (`FileParse::checked`); an item found unchanged kept its old one
        for (checked, def) in parse.checked.iter_mut().zip(&items) {
            if let Some(kept) = &def.body(db).checked {
                *checked = std::sync::Arc::clone(kept);
            }
        }
        let old_source = self.set_source(db).to((text, std::sync::Arc::new(parse)));
        if old_parse.parsed.items.len() >= crate::drop_aside::ASIDE_FROM {
            // the last owners of the old text and parse: freed beside the analysis
            crate::drop_aside::drop_aside((old_source, old_parse));
        }
        if list_changed {
            self.set_item_defs(db).to(items);
        }
        if broken_changed {
            self.set_unparsed_names(db).to(broken);
        }
        let state = DriverState { edited, spare, wide: high_write };
        if state != *self.driver(db) {
            self.set_driver(db).to(state);
        }
    }
}

/// What the driver keeps of a file between edits (read by no query): the
/// items whose body it made LOW, oldest first, and the inputs of items gone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriverState {
    edited: Vec<ItemDef>,
    spare: Vec<ItemDef>,
    /// The last change wrote a MEDIUM or HIGH input (an item's first edit,
    /// a param's, an add, a rename): salsa then verifies every memo that
    /// read such inputs, and `analyze_edited_file` shares that work out.
    wide: bool,
}

impl DriverState {
    /// See `wide`.
    pub(super) fn last_change_was_wide(&self) -> bool {
        self.wide
    }
}

/// An item of the new text: the input of the same item of the old one,
/// parsed alike (`Same`) or perhaps not (`Kept`), or none yet. A cut is
/// boxed: a file's slots are mostly `Same`, and at a cut's size the list
/// of a 10 MB file's was 7 MB written after every edit, now 1 MB.
enum Slot {
    Same(ItemDef),
    Kept(ItemDef, Box<Cut>),
    Fresh(Box<Cut>),
}

/// The slots of a re-parse's items when the items it parsed again have the
/// same names as those they replace (an edit inside items, not one that
/// adds, removes or renames one): the items around them are the same, and
/// each one parsed again is the old item of its name and rank in the
/// window, with that item's occurrence. `None` otherwise.
fn window_slots(
    db: &RootDatabase,
    old: &[ItemDef],
    old_parse: &FileParse,
    parse: &FileParse,
    window: ItemWindow,
) -> Option<Vec<Slot>> {
    let ItemWindow { start, old_end, new_end } = window;
    let names = |parse: &FileParse, end: usize| -> Option<Vec<Name>> {
        let mut names: Vec<Name> = parse.parsed.items.get(start..end)?.iter().map(|p| p.item.name().name).collect();
        names.sort_unstable();
        Some(names)
    };
    if old.len() != old_parse.parsed.items.len() || names(old_parse, old_end)? != names(parse, new_end)? {
        return None;
    }
    let replaced = old.get(start..old_end)?;
    // sized once: grown past the window, it was copied whole (on a 10 MB
    // file, a third of an edit's cache misses)
    let mut slots: Vec<Slot> =
        Vec::with_capacity(old.len().saturating_sub(old_end.saturating_sub(start)) + new_end.saturating_sub(start));
    slots.extend(old.get(..start)?.iter().map(|def| Slot::Same(*def)));
    // each name's old items in the window, last first (taken from the end)
    let mut by_name: rustc_hash::FxHashMap<&str, Vec<ItemDef>> = rustc_hash::FxHashMap::default();
    for (o, def) in old_parse.parsed.items.get(start..old_end)?.iter().zip(replaced).rev() {
        by_name.entry(o.item.name().name.as_str()).or_default().push(*def);
    }
    for (at, p) in parse.parsed.items.get(start..new_end)?.iter().enumerate() {
        let name = &p.item.name().name;
        let def = by_name.get_mut(name.as_str())?.pop()?;
        let cut = Cut::of(parse, start + at, p, def.occurrence(db));
        slots.push(Slot::Kept(def, Box::new(cut)));
    }
    slots.extend(old.get(old_end..)?.iter().map(|def| Slot::Same(*def)));
    Some(slots)
}

/// The slots of every item of a parse, each matched to the old item of its
/// name and occurrence, and the old items left unmatched, in file order.
/// Names and occurrences are read from the two parses (no input read per
/// item): the items outside the re-parsed `window` that kept their
/// occurrence are the old ones; the others are looked up.
fn all_slots(
    old: &[ItemDef],
    old_parse: &FileParse,
    parse: &FileParse,
    window: ItemWindow,
) -> (Vec<Slot>, Vec<ItemDef>) {
    let ItemWindow { start, old_end, new_end } = window;
    let (old_items, new_items) = (&old_parse.parsed.items, &parse.parsed.items);
    let (old_occurrences, new_occurrences) = (occurrences(old_parse), occurrences(parse));
    let by_identity: rustc_hash::FxHashMap<(&str, u32), usize> = old_items
        .iter()
        .zip(&old_occurrences)
        .enumerate()
        .map(|(at, (p, occurrence))| ((p.item.name().name.as_str(), *occurrence), at))
        .collect();
    let mut taken = vec![false; old.len()];
    let mut take = |at: usize| -> Option<ItemDef> {
        let slot = taken.get_mut(at).filter(|t| !**t)?;
        *slot = true;
        old.get(at).copied()
    };
    let mut slots = Vec::with_capacity(new_items.len());
    for (at, (p, occurrence)) in new_items.iter().zip(&new_occurrences).enumerate() {
        // (the driver keeps its items in step with its parse)
        let same = if old.len() != old_items.len() || (start..new_end).contains(&at) {
            None
        } else if at < start {
            Some(at)
        } else {
            let was = at - new_end + old_end;
            (old_occurrences.get(was) == Some(occurrence)).then_some(was)
        };
        if let Some(def) = same.and_then(&mut take) {
            slots.push(Slot::Same(def));
            continue;
        }
        let cut = Cut::of(parse, at, p, *occurrence);
        match by_identity.get(&(cut.name.as_str(), cut.occurrence)).and_then(|at| take(*at)) {
            Some(def) => slots.push(Slot::Kept(def, Box::new(cut))),
            None => slots.push(Slot::Fresh(Box::new(cut))),
        }
    }
    // the inputs of items gone are given to new items (an input is never
    // freed: a rename per keystroke must not pile them up)
    let gone = old.iter().zip(&taken).filter(|(_, taken)| !**taken).map(|(def, _)| *def).collect();
    (slots, gone)
}

/// How many items of the same name come before each item of a parse.
fn occurrences(parse: &FileParse) -> Vec<u32> {
    let mut seen: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    seen.reserve(parse.parsed.items.len());
    parse
        .parsed
        .items
        .iter()
        .map(|p| {
            let count = seen.entry(p.item.name().name.as_str()).or_insert(0);
            let before = *count;
            *count = count.saturating_add(1);
            before
        })
        .collect()
}
