//! The operations, typed: each takes what its request names and answers
//! with the shape its response holds, or an AWS-shaped error.

use proton_cancel::{
    Deployment, DeploymentId, DeploymentStatus, Input, Outcome, ResourceId, ResourceName,
};
use proton_cancel_wire::{
    Addresses, ApiError, DEFAULT_PAGE_SIZE, DeleteDeploymentInput, DeploymentRecord,
    DeploymentUpdateType, Deploys, ErrorCode, GetDeploymentInput, ListDeploymentsInput,
    ListDeploymentsOutput, NextToken, Shape,
};

use crate::app::App;
use crate::page::{Page, stored, written};
use crate::record::seq_of;
use crate::store::Listed;
use crate::stored::Entry;
use crate::write::store_failed;

/// The error a rejected outcome answers with.
fn rejected(outcome: &Outcome) -> Option<ApiError> {
    outcome.rejection().map(|r| ApiError::from(r.clone()))
}

/// Whether a resource's deletion is complete: from then on it is gone from
/// every Get and List.
fn is_deleted(d: &Deployment) -> bool {
    d.status() == DeploymentStatus::DeleteComplete
}

/// Names the resource a request is about on its log line.
pub(crate) fn note_resource(resource: &dyn std::fmt::Display) {
    tracing::Span::current().record("resource", tracing::field::display(resource));
}

impl App {
    /// The shape of `id` as it is; a deleted resource (DELETE_COMPLETE)
    /// is not found.
    pub(crate) async fn get<S: Shape>(&self, id: &ResourceId) -> Result<S, ApiError> {
        note_resource(id);
        let row = self.store().load(id).await.map_err(store_failed)?;
        let row = row
            .filter(|r| !is_deleted(&r.deployment))
            .ok_or_else(|| ApiError::resource_not_found(id))?;
        Entry::shape_of(row)
    }

    /// Starts the deletion of `id` and answers with its shape, now
    /// DELETE_IN_PROGRESS. An environment that a service instance or a
    /// component not yet deleted is deployed to is refused first.
    pub(crate) async fn delete<S: Shape>(&self, id: ResourceId) -> Result<S, ApiError> {
        note_resource(&id);
        if let ResourceId::Environment { name } = &id {
            self.refuse_while_in_use(name).await?;
        }
        let now = self.now();
        let (outcome, entry) = self.apply(&id, |_| Ok(Input::Delete { at: now })).await?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        entry.shape()
    }

    /// ConflictException when a resource that is not deleted is deployed
    /// to the environment `name`, naming the first of them (by kind, then
    /// name) and how many there are.
    async fn refuse_while_in_use(&self, name: &ResourceName) -> Result<(), ApiError> {
        let mut users: Vec<ResourceId> = self
            .live_entries()
            .await?
            .into_iter()
            .filter(|e| {
                matches!(
                    e.deployment.resource(),
                    ResourceId::ServiceInstance { .. } | ResourceId::Component { .. }
                ) && e.meta.environment.as_ref() == Some(name)
            })
            .map(|e| e.deployment.resource().clone())
            .collect();
        users.sort();
        let what = match users.as_slice() {
            [] => return Ok(()),
            [only] => format!("{only} is deployed to it; delete it first"),
            [first, ..] => format!(
                "{} resources are deployed to it, among them {first}; delete them first",
                users.len()
            ),
        };
        Err(ApiError::new(
            ErrorCode::ConflictException,
            format!("environment '{name}' cannot be deleted: {what}"),
        ))
    }

    /// Cancels the deployment of `id` and answers with its shape.
    pub(crate) async fn cancel<S: Shape>(&self, id: ResourceId) -> Result<S, ApiError> {
        note_resource(&id);
        let now = self.now();
        let (outcome, entry) = self.apply(&id, |_| Ok(Input::Cancel { at: now })).await?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        entry.shape()
    }

    /// Updates the resource `input` addresses as it asks (deployment type
    /// NONE changes nothing the emulator keeps) and answers with its shape.
    pub(crate) async fn update<S: Shape>(
        &self,
        input: &(impl Addresses + Deploys),
    ) -> Result<S, ApiError> {
        let id = input.resource_id();
        note_resource(&id);
        let change = input.change();
        let client_token = input.client_token();
        if !change.deploys() {
            return self.get(&id).await;
        }
        let now = self.now();
        let deployment_id = self.mint_id().await.map_err(store_failed)?;
        let (outcome, entry) = self
            .apply(&id, |d| {
                let mut target = change.target(d.applied_configuration());
                let moves_version = matches!(
                    change.deployment_type,
                    DeploymentUpdateType::MinorVersion | DeploymentUpdateType::MajorVersion
                );
                if moves_version && change.template_minor_version.is_none() {
                    target = self.templates().with_recommended_minor(id.kind(), target);
                }
                self.templates().check(id.kind(), &target)?;
                Ok(Input::Update {
                    at: now,
                    deployment_id,
                    target,
                    client_token: client_token.clone(),
                })
            })
            .await?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        entry.shape()
    }

    /// Every resource that is not deleted.
    pub(crate) async fn live_entries(&self) -> Result<Vec<Entry>, ApiError> {
        let rows = self.store().load_all().await.map_err(store_failed)?;
        rows.into_iter()
            .filter(|row| !is_deleted(&row.deployment))
            .map(Entry::of)
            .collect()
    }

    /// The record of a deployment, if every name the input gives matches
    /// its target.
    pub(crate) async fn deployment(
        &self,
        input: &GetDeploymentInput,
    ) -> Result<DeploymentRecord, ApiError> {
        note_resource(&format_args!("deployment '{}'", input.id));
        self.store()
            .record(input.id)
            .await
            .map_err(store_failed)?
            .map(|r| r.shape())
            .filter(|r| input.filter.matches(&r.summary))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ResourceNotFoundException,
                    format!("deployment '{}' was not found", input.id),
                )
            })
    }

    /// Deletes the record of a settled deployment and answers with it as
    /// it was; a running deployment's record is ConflictException (the
    /// server still follows it).
    pub(crate) async fn delete_deployment(
        &self,
        input: &DeleteDeploymentInput,
    ) -> Result<DeploymentRecord, ApiError> {
        let id = input.id;
        note_resource(&format_args!("deployment '{id}'"));
        let not_found = || {
            ApiError::new(
                ErrorCode::ResourceNotFoundException,
                format!("deployment '{id}' was not found"),
            )
        };
        let stored = self.store().record(id).await.map_err(store_failed)?;
        let record = stored.ok_or_else(not_found)?;
        if record.attempt.completed_at.is_none() {
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "deployment '{id}' cannot be deleted: its status is {}; only the record of \
                     a deployment that has ended can be deleted",
                    record.attempt.status
                ),
            ));
        }
        if !self.store().delete_record(id).await.map_err(store_failed)? {
            return Err(not_found());
        }
        Ok(record.shape())
    }

    /// The records that match every name given, newest first. Without
    /// names, a page is the summaries stored with the records, as they
    /// were stored.
    pub(crate) async fn list_deployments(
        &self,
        input: &ListDeploymentsInput,
    ) -> Result<Page<ListDeploymentsOutput>, ApiError> {
        let max = input.max_results.unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        // Records are listed by (seq, id), both descending. A token points
        // to the first record of its page; reading on after a chunk starts
        // after the last record read.
        let mut bound: Option<Bound> = match &input.next_token {
            None => None,
            Some(token) => {
                let id: DeploymentId = token.key()?.parse().map_err(|_| {
                    ApiError::new(
                        ErrorCode::ValidationException,
                        "The nextToken is not valid: pass the nextToken of the previous page \
                         unchanged",
                    )
                })?;
                Some(Bound {
                    seq: seq_of(id),
                    id: id.to_string(),
                    inclusive: true,
                })
            }
        };
        let chunk = max.saturating_add(1).min(1000);
        let mut deployments = Vec::new();
        let mut next_token = None;
        let listed = input.filter.selects_all();
        'pages: loop {
            let from = bound.as_ref().map(|b| b.seq);
            let records = if listed {
                self.store().listed_records_from(from, chunk).await
            } else {
                self.store().records_from(from, chunk).await.map(|records| {
                    records
                        .into_iter()
                        .map(|r| {
                            (
                                r.seq(),
                                r.attempt.deployment_id.to_string(),
                                Listed::Whole(r),
                            )
                        })
                        .collect()
                })
            }
            .map_err(store_failed)?;
            let whole = records.len() == chunk;
            let mut last = None;
            for (seq, id, record) in records {
                if bound.as_ref().is_some_and(|b| b.excludes(seq, &id)) {
                    continue;
                }
                last = Some(Bound {
                    seq,
                    id: id.clone(),
                    inclusive: false,
                });
                let text = match record {
                    Listed::Shown(text) => stored(text, &format_args!("deployment {id}"))?,
                    Listed::Whole(record) => {
                        let summary = record.shape().summary;
                        if !input.filter.matches(&summary) {
                            continue;
                        }
                        written(&summary)?
                    }
                };
                if deployments.len() == max {
                    next_token = Some(NextToken::at(&id));
                    break 'pages;
                }
                deployments.push(text);
            }
            match last {
                Some(last) if whole => bound = Some(last),
                _ => break,
            }
        }
        Ok(Page::new(deployments, next_token))
    }
}

/// Where a read of the records, newest first, starts: at or after the
/// record (`seq`, `id`).
struct Bound {
    seq: i64,
    id: String,
    inclusive: bool,
}

impl Bound {
    /// Whether the record (`seq`, `id`) comes before the bound in the list.
    fn excludes(&self, seq: i64, id: &str) -> bool {
        seq > self.seq
            || (seq == self.seq && (id > self.id.as_str() || (!self.inclusive && id == self.id)))
    }
}
