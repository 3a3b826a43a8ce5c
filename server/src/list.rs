//! The list operations of the resource kinds: what each selects, how it
//! orders it, and the page it answers with.

use std::cmp::Ordering;

use std::future::Future;

use proton_cancel::{DeploymentStatus, ResourceKind};
use proton_cancel_wire::{
    ApiError, Component, DEFAULT_PAGE_SIZE, Environment, ErrorCode, ListComponentsInput,
    ListComponentsOutput, ListEnvironmentsInput, ListEnvironmentsOutput, ListServiceInstancesInput,
    ListServiceInstancesOutput, NextToken, PageOutput, ServiceInstance, ServiceInstanceFilter,
    ServiceInstanceFilterKey as Key, ServiceInstanceSortBy as SortBy, Shape, SortOrder, page,
};

use crate::app::App;
use crate::page::{Page, stored, written};
use crate::store::{Listed, ListedRow, Row, Store, StoreError, instances_of, key, kind_range};
use crate::stored::Entry;
use crate::write::store_failed;

/// Whether a service instance meets one ListServiceInstances criterion.
/// Every deployed template version reads PUBLISHED: the emulator keeps no
/// template registry, so a version that was deployed was published.
fn matches(i: &ServiceInstance, filter: &ServiceInstanceFilter) -> bool {
    match filter {
        ServiceInstanceFilter::Status(status) => i.members.deployment.deployment_status == *status,
        ServiceInstanceFilter::Equals(key, value) => {
            let actual = match key {
                Key::Name => i.name.as_str(),
                Key::TemplateName => i.members.template.template_name.as_str(),
                Key::ServiceName => i.service_name.as_str(),
                Key::EnvironmentName => i.environment_name.as_str(),
                Key::DeployedTemplateVersionStatus => "PUBLISHED",
                _ => return false,
            };
            actual == value
        }
        ServiceInstanceFilter::Time { key, at } => match key {
            Key::CreatedAtBefore => i.members.deployment.created_at < *at,
            Key::CreatedAtAfter => i.members.deployment.created_at > *at,
            Key::LastDeploymentAttemptedAtBefore => {
                i.members.times.last_deployment_attempted_at < *at
            }
            Key::LastDeploymentAttemptedAtAfter => {
                i.members.times.last_deployment_attempted_at > *at
            }
            _ => false,
        },
        _ => false,
    }
}

/// Sorts service instances by `by` in `order`; ties go by service, then
/// instance name (ascending), so every order is total and pages are stable.
fn sort(all: &mut [ServiceInstance], by: SortBy, order: SortOrder) {
    // The order of their keys (`service/name`): the default order, read
    // through the index.
    let tie = |a: &ServiceInstance, b: &ServiceInstance| {
        let key = |i: &ServiceInstance| format!("{}/{}", i.service_name, i.name);
        key(a).cmp(&key(b))
    };
    all.sort_by(|a, b| {
        let primary = match by {
            SortBy::Name => a.name.cmp(&b.name),
            SortBy::DeploymentStatus => a
                .members
                .deployment
                .deployment_status
                .as_str()
                .cmp(b.members.deployment.deployment_status.as_str()),
            SortBy::TemplateName => a
                .members
                .template
                .template_name
                .cmp(&b.members.template.template_name),
            SortBy::EnvironmentName => a.environment_name.cmp(&b.environment_name),
            SortBy::LastDeploymentAttemptedAt => a
                .members
                .times
                .last_deployment_attempted_at
                .cmp(&b.members.times.last_deployment_attempted_at),
            SortBy::CreatedAt => a
                .members
                .deployment
                .created_at
                .cmp(&b.members.deployment.created_at),
            _ => Ordering::Equal,
        };
        let primary = match order {
            SortOrder::Descending => primary.reverse(),
            _ => primary,
        };
        primary.then_with(|| tie(a, b))
    });
}

impl App {
    /// The service instances the input selects, in its order, one page. In
    /// the default order (by service, then name, ascending: the order of
    /// their keys) a page is read through the key's index, from where the
    /// token points, only as far as the page needs, and without filters it
    /// is the summaries stored with the rows; every other order reads every
    /// instance in range (of one service, when the input names it) to sort
    /// them.
    pub(crate) async fn list_service_instances(
        &self,
        input: &ListServiceInstancesInput,
    ) -> Result<Page<ListServiceInstancesOutput>, ApiError> {
        let range = match &input.service_name {
            Some(service) => instances_of(service),
            None => kind_range(ResourceKind::ServiceInstance),
        };
        let max = input.max_results.unwrap_or(DEFAULT_PAGE_SIZE);
        let token = input.next_token.as_ref();
        let key_order =
            input.sort_by == SortBy::ServiceName && input.sort_order == SortOrder::Ascending;
        if key_order && input.filters.is_empty() {
            return self
                .listed::<ListServiceInstancesOutput, ServiceInstance>(range, token, max)
                .await;
        }
        let keep = |row: Row| {
            let shape = Entry::shape_of::<ServiceInstance>(row)?;
            Ok(input
                .filters
                .iter()
                .all(|f| matches(&shape, f))
                .then_some(shape))
        };
        let (page, next_token) = if key_order {
            self.scan(range, token, max, keep).await?
        } else {
            let (mut all, _) = self.scan(range, None, usize::MAX, keep).await?;
            sort(&mut all, input.sort_by, input.sort_order);
            page(
                all,
                |i| format!("{}/{}", i.service_name, i.name),
                token,
                max,
            )?
        };
        let summaries: Vec<_> = page.into_iter().map(Into::into).collect();
        Page::of(&summaries, next_token)
    }

    /// The environments the input's template filters select, by name.
    pub(crate) async fn list_environments(
        &self,
        input: &ListEnvironmentsInput,
    ) -> Result<Page<ListEnvironmentsOutput>, ApiError> {
        let range = kind_range(ResourceKind::Environment);
        let token = input.next_token.as_ref();
        let max = input.max_results.unwrap_or(DEFAULT_PAGE_SIZE);
        if input.environment_templates.is_empty() {
            return self
                .listed::<ListEnvironmentsOutput, Environment>(range, token, max)
                .await;
        }
        let (environments, next_token) = self
            .scan(range, token, max, |row| {
                let e = Entry::shape_of::<Environment>(row)?;
                let t = &e.members.template;
                Ok(input
                    .lists(&t.template_name, &t.template_major_version)
                    .then_some(e))
            })
            .await?;
        let summaries: Vec<_> = environments.into_iter().map(Into::into).collect();
        Page::of(&summaries, next_token)
    }

    /// The components the input's names select, by name.
    pub(crate) async fn list_components(
        &self,
        input: &ListComponentsInput,
    ) -> Result<Page<ListComponentsOutput>, ApiError> {
        let range = kind_range(ResourceKind::Component);
        let token = input.next_token.as_ref();
        let max = input.max_results.unwrap_or(DEFAULT_PAGE_SIZE);
        if input.selects_all() {
            return self
                .listed::<ListComponentsOutput, Component>(range, token, max)
                .await;
        }
        let (components, next_token) = self
            .scan(range, token, max, |row| {
                let c = Entry::shape_of::<Component>(row)?;
                Ok(input.lists(&c).then_some(c))
            })
            .await?;
        let summaries: Vec<_> = components.into_iter().map(Into::into).collect();
        Page::of(&summaries, next_token)
    }

    /// One page of every resource in the key range that is not deleted, in
    /// key order: the summaries stored with the rows, as they were stored;
    /// a row stored without one is read whole and summarized as shape `S`.
    async fn listed<O, S>(
        &self,
        range: (String, String),
        token: Option<&NextToken>,
        max: usize,
    ) -> Result<Page<O>, ApiError>
    where
        O: PageOutput,
        S: Shape,
        O::Item: From<S>,
    {
        let (items, next_token) = self
            .scan(range, token, max, |(key, listed): ListedRow| {
                Ok(Some(match listed {
                    Listed::Shown(text) => stored(text, &key)?,
                    Listed::Whole(row) => written(&O::Item::from(Entry::shape_of::<S>(row)?))?,
                }))
            })
            .await?;
        Ok(Page::new(items, next_token))
    }

    /// One page of the rows in the key range `(from, to)` that are not
    /// deleted and that `keep` turns into items: at most `max` (at least
    /// 1), starting at the key `token` points to (the first in range
    /// without one), and the token of the next page, which points to the
    /// key of the next item, if there is one. Rows are read (whole, or as
    /// listed: [`Scanned`]) through the key's index in chunks of a page and
    /// one more, so a page costs what it reads, not what the table holds:
    /// the rows `keep` refuses are read too, until the page is full.
    pub(crate) async fn scan<R: Scanned, T>(
        &self,
        (from, to): (String, String),
        token: Option<&NextToken>,
        max: usize,
        mut keep: impl FnMut(R) -> Result<Option<T>, ApiError>,
    ) -> Result<(Vec<T>, Option<NextToken>), ApiError> {
        let max = max.max(1);
        let mut cursor = match token {
            None => from.clone(),
            Some(token) => {
                let start = token.key()?;
                if start < from || start >= to {
                    return Err(ApiError::new(
                        ErrorCode::ValidationException,
                        "The nextToken is not valid: pass the nextToken of the previous page \
                         unchanged",
                    ));
                }
                start
            }
        };
        let chunk = max.saturating_add(1).min(1000);
        let mut items = Vec::new();
        let mut read_through: Option<String> = None;
        loop {
            let rows = R::read(self.store(), (&cursor, &to), chunk)
                .await
                .map_err(store_failed)?;
            let whole = rows.len() == chunk;
            let mut last = None;
            for row in rows {
                let k = row.key();
                if read_through.as_ref().is_some_and(|r| &k <= r) {
                    continue;
                }
                last = Some(k.clone());
                if row.deleted() {
                    continue;
                }
                if let Some(item) = keep(row)? {
                    if items.len() == max {
                        return Ok((items, Some(NextToken::at(&k))));
                    }
                    items.push(item);
                }
            }
            match last {
                Some(last) if whole => {
                    cursor.clone_from(&last);
                    read_through = Some(last);
                }
                _ => return Ok((items, None)),
            }
        }
    }
}

/// What [`App::scan`] reads of each row in a key range: the row whole
/// ([`Row`]), or its key and stored summary ([`ListedRow`]).
pub(crate) trait Scanned: Sized + Send {
    /// Up to `limit` of them in the key range, by key.
    fn read<'a>(
        store: &'a Store,
        range: (&'a str, &'a str),
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, StoreError>> + Send + 'a;
    /// Its row's key.
    fn key(&self) -> String;
    /// Whether its resource is deleted, which no list shows.
    fn deleted(&self) -> bool;
}

impl Scanned for Row {
    fn read<'a>(
        store: &'a Store,
        range: (&'a str, &'a str),
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, StoreError>> + Send + 'a {
        store.load_range(range, limit)
    }

    fn key(&self) -> String {
        key(self.deployment.resource())
    }

    fn deleted(&self) -> bool {
        self.deployment.status() == DeploymentStatus::DeleteComplete
    }
}

/// A row with a stored summary is not deleted: a deleted resource's row
/// stores none.
impl Scanned for ListedRow {
    fn read<'a>(
        store: &'a Store,
        range: (&'a str, &'a str),
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, StoreError>> + Send + 'a {
        store.list_range(range, limit)
    }

    fn key(&self) -> String {
        self.0.clone()
    }

    fn deleted(&self) -> bool {
        match &self.1 {
            Listed::Shown(_) => false,
            Listed::Whole(row) => row.deleted(),
        }
    }
}
