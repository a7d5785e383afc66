//! Places: the targets of assignments and in-place changes, read, changed and written
//! back up to their root (a local, a scalar state, or an entry of a persistent map).

use assent_stdlib::abi::HostFn;
use wasm_encoder::Instruction as I;

use super::function::FunctionCompiler;
use super::{CodegenError, error};
use crate::typed::{Loc, Place, PlaceRoot, Projection};

type Result<T = ()> = std::result::Result<T, CodegenError>;

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    /// Runs `change` on a local holding the part of `place` that changes (its handle,
    /// or its value for scalars), then writes the changed part back up to the root.
    /// `change` either mutates the handle in place or stores a new value in the local.
    /// `reads_current`: `change` needs the part's current value (a compound assignment or
    /// an in-place change, which abort on an absent map key); a plain `=` does not.
    pub(super) fn change_place(
        &mut self,
        place: &'c Place,
        loc: Loc,
        reads_current: bool,
        change: &mut dyn FnMut(&mut Self, u32) -> Result,
    ) -> Result {
        // The root value.
        let root = match &place.root {
            PlaceRoot::Local(id) => {
                let local = self.local(*id);
                if place.path.is_empty() {
                    return change(self, local);
                }
                local
            }
            PlaceRoot::State(id) => {
                let local = self.temp();
                // A plain `state = e` does not read the state, which may have no value
                // yet (the first assignment in `init`).
                if reads_current || !place.path.is_empty() {
                    self.i32_const(id.0);
                    self.host(HostFn::StateLoad);
                    self.emit(I::LocalSet(local));
                }
                local
            }
            PlaceRoot::StateEntry { state, key } => {
                let key_local = self.expr_to_local(key)?;
                if place.path.is_empty() {
                    // `m[k] op= v` reads the entry (aborting when absent); `m[k] = v`
                    // does not, so `change` is given the key's slot to fill.
                    let value = self.temp();
                    if reads_current {
                        self.persistent_entry(state.0, key_local, value, loc);
                    }
                    change(self, value)?;
                    self.i32_const(state.0);
                    self.emit(I::LocalGet(key_local));
                    self.emit(I::LocalGet(value));
                    self.host(HostFn::PmapSet);
                    return Ok(());
                }
                let local = self.temp();
                self.persistent_entry(state.0, key_local, local, loc);
                // Written back at the end.
                let root = root_entry(local, key_local, state.0);
                return self.place_chain(place, root, loc, reads_current, change);
            }
        };
        let root_kind = match &place.root {
            PlaceRoot::State(id) => Root::State(id.0, root),
            _ => Root::Local(root),
        };
        self.place_chain(place, root_kind, loc, reads_current, change)
    }

    /// Loads the entry `key` of persistent map `state` into `target`, aborting when absent.
    fn persistent_entry(&mut self, state: u32, key: u32, target: u32, loc: Loc) {
        self.i32_const(state);
        self.emit(I::LocalGet(key));
        self.host(HostFn::PmapGet);
        self.unwrap_or_abort("no entry for this key", loc);
        self.emit(I::LocalSet(target));
    }

    fn place_chain(
        &mut self,
        place: &'c Place,
        root: Root,
        loc: Loc,
        reads_current: bool,
        change: &mut dyn FnMut(&mut Self, u32) -> Result,
    ) -> Result {
        let root_local = match root {
            Root::Local(local) | Root::State(_, local) | Root::Entry { local, .. } => local,
        };
        if place.path.is_empty() {
            change(self, root_local)?;
        } else {
            // containers[i] holds the value the i-th projection applies to.
            let mut containers = vec![root_local];
            let mut keys = Vec::new();
            for (index, projection) in place.path.iter().enumerate() {
                let key = match projection {
                    Projection::Field(field) => Key::Field(*field),
                    Projection::ListIndex(e) => Key::Index(self.expr_to_local(e)?),
                    Projection::MapKey(e) => Key::Entry(self.expr_to_local(e)?),
                };
                keys.push(key);
                if index + 1 == place.path.len() {
                    break;
                }
                let container = *containers.last().ok_or_else(|| error("empty place"))?;
                self.emit(I::LocalGet(container));
                self.get_part(key, loc);
                self.host(HostFn::ValCopy);
                let part = self.temp();
                self.emit(I::LocalSet(part));
                containers.push(part);
            }
            // The changed part itself.
            let last_key = *keys.last().ok_or_else(|| error("empty place"))?;
            let last_container = *containers.last().ok_or_else(|| error("empty place"))?;
            let part = self.temp();
            if reads_current {
                self.emit(I::LocalGet(last_container));
                self.get_part(last_key, loc);
                if !place.ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
                self.emit(I::LocalSet(part));
            }
            change(self, part)?;
            // Write back, innermost first.
            let mut value = part;
            for (container, key) in containers.iter().zip(keys.iter()).rev() {
                self.emit(I::LocalGet(*container));
                match key {
                    Key::Field(field) => {
                        self.i32_const(*field);
                        self.emit(I::LocalGet(value));
                        self.host(HostFn::RecordSetMut);
                    }
                    Key::Index(local) | Key::Entry(local) => {
                        self.emit(I::LocalGet(*local));
                        self.emit(I::LocalGet(value));
                        self.host(HostFn::MapSetMut);
                    }
                }
                value = *container;
            }
        }
        match root {
            Root::Local(_) => {}
            Root::State(state, local) => {
                self.i32_const(state);
                self.emit(I::LocalGet(local));
                self.host(HostFn::StateStore);
            }
            Root::Entry { state, key, local } => {
                self.i32_const(state);
                self.emit(I::LocalGet(key));
                self.emit(I::LocalGet(local));
                self.host(HostFn::PmapSet);
            }
        }
        Ok(())
    }

    /// `container` on the stack → its part at `key`.
    fn get_part(&mut self, key: Key, loc: Loc) {
        match key {
            Key::Field(field) => {
                self.i32_const(field);
                self.host(HostFn::RecordGet);
            }
            Key::Index(index) => {
                self.emit(I::LocalGet(index));
                self.host(HostFn::CollAt);
            }
            Key::Entry(key) => {
                self.emit(I::LocalGet(key));
                self.host(HostFn::MapGet);
                self.unwrap_or_abort("no entry for this key", loc);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Key {
    Field(u32),
    Index(u32),
    Entry(u32),
}

#[derive(Clone, Copy)]
enum Root {
    Local(u32),
    State(u32, u32),
    Entry { state: u32, key: u32, local: u32 },
}

fn root_entry(local: u32, key: u32, state: u32) -> Root {
    Root::Entry { state, key, local }
}
