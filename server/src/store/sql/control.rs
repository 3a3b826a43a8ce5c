//! The control API's statements run: engine modes, the queued jobs as
//! listed, a claim of one resource's next job, and the fault rules.

use super::dialect::{Bind, Col, Dialect, Val};
use super::statements::{EVERY_TABLE, Statements};
use super::{Queries, SqlStore, job_of};
use crate::store::{Contents, FaultRow, Job, Pending, Produced, StoreError};

impl<D: Dialect> SqlStore<D>
where
    Self: Queries,
{
    pub(super) async fn put_mode(
        &self,
        scope: &str,
        manual: Option<bool>,
    ) -> Result<(), StoreError> {
        let scope = Bind::text(scope.to_owned());
        match manual {
            Some(manual) => {
                let binds = vec![scope, Bind::int(i64::from(manual))];
                self.fetch(&self.statements.set_mode, binds, &[]).await?;
            }
            None => {
                self.fetch(&self.statements.unset_mode, vec![scope], &[])
                    .await?;
            }
        }
        Ok(())
    }

    pub(super) async fn read_modes(&self) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = self
            .fetch(&self.statements.modes, vec![], &[Col::Text, Col::Int])
            .await?;
        Ok(rows
            .into_iter()
            .map(|cols| {
                let mut cols = cols.into_iter();
                let scope = cols.next().and_then(Val::text).unwrap_or_default();
                let manual = cols.next().and_then(Val::int).unwrap_or_default() != 0;
                (scope, manual)
            })
            .collect())
    }

    pub(super) async fn read_pending(&self) -> Result<Vec<Pending>, StoreError> {
        let cols = [Col::Int, Col::Int, Col::Text, Col::Text, Col::Int];
        let rows = self.fetch(&self.statements.pending, vec![], &cols).await?;
        rows.into_iter()
            .map(|mut cols| {
                // The job's four columns, then whether its mode holds it.
                let held = cols.pop().and_then(Val::int).unwrap_or_default() != 0;
                let job = job_of(cols)?;
                Ok(Pending {
                    id: job.id,
                    due: job.due,
                    resource: job.resource,
                    payload: job.payload,
                    held,
                })
            })
            .collect()
    }

    pub(super) async fn claim_one(
        &self,
        id: i64,
        now: i64,
        lease: i64,
    ) -> Result<Option<Job>, StoreError> {
        let binds = vec![
            Bind::int(now.saturating_add(lease)),
            Bind::int(now),
            Bind::int(id),
        ];
        let cols = [Col::Int, Col::Int, Col::Text, Col::Text];
        let rows = self.fetch(&self.statements.claim_job, binds, &cols).await?;
        rows.into_iter().next().map(job_of).transpose()
    }

    pub(super) async fn insert_fault(&self, rule: &str) -> Result<i64, StoreError> {
        let binds = vec![Bind::text(rule.to_owned())];
        let id = self.one_int(&self.statements.add_fault, binds).await?;
        Ok(id.unwrap_or_default())
    }

    pub(super) async fn read_faults(&self) -> Result<Vec<FaultRow>, StoreError> {
        let cols = [Col::Int, Col::Text, Col::Int, Col::Int];
        let rows = self.fetch(&self.statements.faults, vec![], &cols).await?;
        Ok(rows
            .into_iter()
            .map(|cols| {
                let mut cols = cols.into_iter();
                let mut next = || cols.next().unwrap_or(Val::Null);
                FaultRow {
                    id: next().int().unwrap_or_default(),
                    rule: next().text().unwrap_or_default(),
                    seen: next().int().unwrap_or_default(),
                    fired: next().int().unwrap_or_default(),
                }
            })
            .collect())
    }

    pub(super) async fn delete_faults(&self) -> Result<(), StoreError> {
        self.fetch(&self.statements.clear_faults, vec![], &[])
            .await?;
        Ok(())
    }

    pub(super) async fn count_match(&self, id: i64) -> Result<Option<i64>, StoreError> {
        let rows = self
            .fetch(
                &self.statements.match_fault,
                vec![Bind::int(id)],
                &[Col::Int],
            )
            .await?;
        Ok(rows.into_iter().flatten().next().and_then(Val::int))
    }

    pub(super) async fn count_fired(&self, id: i64) -> Result<(), StoreError> {
        self.fetch(&self.statements.fire_fault, vec![Bind::int(id)], &[])
            .await?;
        Ok(())
    }

    pub(super) async fn read_last_number(&self) -> Result<i64, StoreError> {
        let n = self.one_int(&self.statements.last_number, vec![]).await?;
        Ok(n.unwrap_or_default())
    }

    pub(super) async fn replace_all(
        &self,
        contents: &Contents,
        modes: &[(String, bool)],
    ) -> Result<(), StoreError> {
        let mut statements: Vec<(&str, Vec<Bind>)> =
            EVERY_TABLE.iter().map(|sql| (*sql, Vec::new())).collect();
        for row in &contents.rows {
            statements.push((self.statements.insert.as_str(), Statements::insert(row)?));
        }
        let produced = Produced {
            records: contents.records.clone(),
            jobs: contents.jobs.clone(),
        };
        statements.extend(self.statements.produced(&produced)?);
        for (scope, manual) in modes {
            statements.push((
                self.statements.set_mode.as_str(),
                vec![Bind::text(scope.clone()), Bind::int(i64::from(*manual))],
            ));
        }
        for f in &contents.faults {
            statements.push((
                self.statements.put_fault.as_str(),
                vec![
                    Bind::text(f.rule.clone()),
                    Bind::int(f.seen),
                    Bind::int(f.fired),
                ],
            ));
        }
        statements.push((
            self.statements.set_number.as_str(),
            vec![Bind::int(contents.last_number)],
        ));
        self.transaction(statements, 0).await?;
        Ok(())
    }
}
