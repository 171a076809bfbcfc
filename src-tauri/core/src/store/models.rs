//! Deployment models: the reusable templates plans are made from. A plan keeps its own copy,
//! so editing or deleting a model never changes a release's plan.

use super::sql::{Conn, OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};

use super::Store;
use super::audit::{self, Entry};
use super::planning::parse_json;
use crate::error::{Error, FieldError, Result};
use crate::people::TeamRole;
use crate::plan::{DeploymentModel, ModelDep, ModelTask};
use crate::schedule::DepKind;

fn model_not_found(name: &str) -> Error {
    Error::NotFound {
        what: "deployment model",
        key: name.to_string(),
    }
}

impl Store {
    pub fn list_models(&self) -> Result<Vec<DeploymentModel>> {
        let mut stmt = self.conn.prepare("SELECT body FROM models ORDER BY name")?;
        let bodies = stmt.query_map((), |r| r.get::<String>(0))?;
        bodies.map(|b| parse_json(&b?)).collect()
    }

    pub fn model(&self, name: &str) -> Result<DeploymentModel> {
        load_model(&self.conn, name)?.ok_or_else(|| model_not_found(name))
    }

    /// Stores a model, replacing one of the same name (imports, demo data).
    pub fn save_model(
        &mut self,
        model: &DeploymentModel,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        model.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        put_model(&tx, model, actor, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a new model; refused when the name is taken.
    pub fn create_model(
        &mut self,
        model: &DeploymentModel,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<DeploymentModel> {
        model.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        if load_model(&tx, model.name.trim())?.is_some() {
            return Err(name_taken(&model.name));
        }
        put_model(&tx, model, actor, now)?;
        tx.commit()?;
        Ok(model.clone())
    }

    /// Saves an edited model; `name` is the one it had, so a rename is one edit.
    pub fn update_model(
        &mut self,
        name: &str,
        model: &DeploymentModel,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<DeploymentModel> {
        model.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        load_model(&tx, name)?.ok_or_else(|| model_not_found(name))?;
        if model.name != name {
            if load_model(&tx, &model.name)?.is_some() {
                return Err(name_taken(&model.name));
            }
            tx.execute("DELETE FROM models WHERE name = ?1", [name])?;
            let entry = Entry::new("model", name, "rename").field(
                "name",
                Some(name.to_string()),
                Some(model.name.clone()),
            );
            audit::append(&tx, actor, now, vec![entry])?;
        }
        put_model(&tx, model, actor, now)?;
        tx.commit()?;
        Ok(model.clone())
    }

    /// Deletes a model and returns it (for undo). Plans made from it keep their own copy.
    pub fn delete_model(
        &mut self,
        name: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<DeploymentModel> {
        let tx = self.write(TeamRole::Planner)?;
        let model = load_model(&tx, name)?.ok_or_else(|| model_not_found(name))?;
        tx.execute("DELETE FROM models WHERE name = ?1", [name])?;
        let entry = Entry::new("model", name, "delete").field(
            "model",
            Some(serde_json::to_string(&model).unwrap_or_default()),
            None,
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(model)
    }

    /// Appends a task to a model, after the tasks `after` names (finish-to-start).
    pub fn add_model_task(
        &mut self,
        name: &str,
        task: &ModelTask,
        after: &[String],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<DeploymentModel> {
        let tx = self.write(TeamRole::Planner)?;
        let mut model = load_model(&tx, name)?.ok_or_else(|| model_not_found(name))?;
        model.tasks.push(task.clone());
        model.deps.extend(after.iter().map(|from| ModelDep {
            from: from.clone(),
            to: task.key.clone(),
            kind: DepKind::FinishToStart,
            lag_minutes: 0,
        }));
        // Field paths name the new task's flags, not its index in the model.
        let last = model.tasks.len() - 1;
        let first_dep = model.deps.len() - after.len();
        model.validate().map_err(|e| match e {
            Error::Validation(fields) => Error::Validation(
                fields
                    .into_iter()
                    .map(|f| {
                        let field = f
                            .field
                            .strip_prefix(&format!("tasks[{last}]."))
                            .map(str::to_string)
                            .or_else(|| {
                                (first_dep..model.deps.len())
                                    .any(|d| f.field.starts_with(&format!("deps[{d}]")))
                                    .then(|| "after".to_string())
                            })
                            .unwrap_or(f.field);
                        FieldError::new(&field, f.message)
                    })
                    .collect(),
            ),
            other => other,
        })?;
        put_model(&tx, &model, actor, now)?;
        tx.commit()?;
        Ok(model)
    }
}

fn name_taken(name: &str) -> Error {
    Error::Conflict {
        field: Some("name"),
        message: format!("a deployment model named '{name}' exists; choose another name"),
    }
}

pub(super) fn put_model(
    tx: &Tx<'_>,
    model: &DeploymentModel,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    model.validate()?;
    let body = serde_json::to_string(model).map_err(|e| Error::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO models (name, body) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET body = ?2",
        params![model.name, body],
    )?;
    let entry = Entry::new("model", &model.name, "save").after(format!(
        "{} task(s), {} dependencies",
        model.tasks.len(),
        model.deps.len()
    ));
    audit::append(tx, actor, now, vec![entry])
}

pub(super) fn load_model(conn: &Conn, name: &str) -> Result<Option<DeploymentModel>> {
    conn.query_row("SELECT body FROM models WHERE name = ?1", [name], |r| {
        r.get::<String>(0)
    })
    .optional()?
    .map(|b| parse_json(&b))
    .transpose()
}
