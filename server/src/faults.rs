//! Faults a test asks for through the control API: rules that make chosen
//! requests answer an AWS error or answer late, and the one check every
//! AWS request passes through.
//!
//! A rule names an operation and, optionally, the resource the request
//! addresses; it fires on the next `count` requests it matches, or on each
//! with a `probability` drawn from its `seed` and the number of the match
//! (so the same rules and the same requests fail the same way on every
//! run), or on every match. The rules and their counts live in the store,
//! so replicas on one database share them; each replica keeps the rule set
//! in memory and reads it again when a rule is added or cleared through it,
//! and at least once a second, so a request with no rules to check costs
//! one lock read.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use proton_cancel::ResourceId;
use proton_cancel_wire::{ApiError, ErrorCode, Operation};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::control::{ControlError, ResourceKey};
use crate::store::{FaultRow, StoreError};

tokio::task_local! {
    /// The fault rule that fired on the request being served, for its line
    /// in the dashboard's request log (set only where the log is kept).
    pub(crate) static FIRED: std::sync::Arc<std::sync::atomic::AtomicI64>;
}

/// The errors a rule can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum FaultError {
    /// ThrottlingException: the AWS SDKs retry it.
    #[serde(rename = "ThrottlingException")]
    Throttling,
    /// InternalServerException: the SDKs retry it.
    #[serde(rename = "InternalServerException")]
    InternalServer,
    /// ServiceQuotaExceededException; only for operations the model lists
    /// it for.
    #[serde(rename = "ServiceQuotaExceededException")]
    ServiceQuotaExceeded,
}

impl FaultError {
    fn code(self) -> ErrorCode {
        match self {
            Self::Throttling => ErrorCode::ThrottlingException,
            Self::InternalServer => ErrorCode::InternalServerException,
            Self::ServiceQuotaExceeded => ErrorCode::ServiceQuotaExceededException,
        }
    }
}

/// A fault rule as a control call gives it and as it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FaultRule {
    /// The operation whose requests it matches, by name.
    pub(crate) operation: String,
    /// The resource the requests address (`service-instance/shop/web`, …);
    /// every request of the operation when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) resource: Option<String>,
    /// The error to answer with; the request runs (after any latency) when
    /// left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<FaultError>,
    /// Milliseconds to wait before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_ms: Option<u64>,
    /// Fire on this many matches, then never again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) count: Option<u64>,
    /// Fire on each match with this probability, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) probability: Option<f64>,
    /// The seed of the probability's draws (0 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<u64>,
}

/// A stored rule, checked: what a request is matched against.
#[derive(Debug, Clone)]
pub(crate) struct Armed {
    id: i64,
    rule: FaultRule,
    operation: Operation,
    resource: Option<ResourceId>,
}

impl FaultRule {
    /// The rule checked: its operation and resource read, and its members
    /// consistent. The error names the member and the rule it breaks.
    pub(crate) fn check(&self) -> Result<(Operation, Option<ResourceId>), ControlError> {
        let operation: Operation = self.operation.parse().map_err(|_| {
            ControlError::invalid(format!(
                "operation: {:?} is not an operation the emulator serves",
                self.operation
            ))
        })?;
        let resource = match &self.resource {
            None => None,
            Some(key) => Some(ResourceKey::parse("resource", key)?),
        };
        if self.error.is_none() && self.latency_ms.is_none() {
            return Err(ControlError::invalid(
                "a fault rule needs an error, a latencyMs, or both",
            ));
        }
        if self.error == Some(FaultError::ServiceQuotaExceeded) && !operation.may_exceed_a_quota() {
            return Err(ControlError::invalid(format!(
                "error: the service model lists no ServiceQuotaExceededException for \
                 {operation} (only for CreateComponent, CreateEnvironment, CreateService, \
                 UpdateComponent and UpdateService)"
            )));
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(ControlError::invalid(format!(
                    "probability: {p} is outside [0, 1]"
                )));
            }
            if self.count.is_some() {
                return Err(ControlError::invalid(
                    "a fault rule takes a count or a probability, not both",
                ));
            }
        } else if self.seed.is_some() {
            return Err(ControlError::invalid(
                "seed: a seed is given only with a probability",
            ));
        }
        Ok((operation, resource))
    }

    /// Whether the `n`th request the rule matches (from 1) fires it.
    pub(crate) fn fires(&self, n: i64) -> bool {
        let n = u64::try_from(n).unwrap_or(0);
        match (self.count, self.probability) {
            (Some(count), _) => n <= count,
            (None, Some(p)) => draw(self.seed.unwrap_or(0), n) < p,
            (None, None) => true,
        }
    }
}

/// A number in [0, 1) drawn from `seed` and `n` (SplitMix64's mix): the
/// same for the same pair on every run and every replica.
fn draw(seed: u64, n: u64) -> f64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits, as a fraction of 2^53.
    #[allow(clippy::cast_precision_loss)] // 53 bits are exact in an f64
    let top = (z >> 11) as f64;
    top / 9_007_199_254_740_992.0
}

/// The rules this replica knows, read from the store.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    armed: RwLock<Arc<[Armed]>>,
    /// Whether there is any rule: the one load a request pays when there
    /// is none.
    any: std::sync::atomic::AtomicBool,
}

impl Rules {
    fn get(&self) -> Arc<[Armed]> {
        self.armed
            .read()
            .map_or_else(|p| p.into_inner().clone(), |a| a.clone())
    }

    fn set(&self, armed: Vec<Armed>) {
        self.any
            .store(!armed.is_empty(), std::sync::atomic::Ordering::Release);
        let armed: Arc<[Armed]> = armed.into();
        match self.armed.write() {
            Ok(mut slot) => *slot = armed,
            Err(p) => *p.into_inner() = armed,
        }
    }

    /// Whether there is no rule to check.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// A rule as a control call lists it: the rule and its counts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listed {
    id: i64,
    #[serde(flatten)]
    rule: FaultRule,
    matched: i64,
    fired: i64,
}

impl App {
    /// Reads the rule set from the store again; rules that no longer read
    /// are left out (and logged).
    pub(crate) async fn reload_faults(&self) -> Result<Vec<FaultRow>, StoreError> {
        let rows = self.store().faults().await?;
        let armed = rows
            .iter()
            .filter_map(|row| {
                let rule: FaultRule = serde_json::from_str(&row.rule)
                    .inspect_err(|e| tracing::error!(fault = row.id, error = %e, "a stored fault rule does not read; skipped"))
                    .ok()?;
                let (operation, resource) = rule.check().ok()?;
                Some(Armed {
                    id: row.id,
                    rule,
                    operation,
                    resource,
                })
            })
            .collect();
        self.faults().set(armed);
        Ok(rows)
    }

    /// Adds a rule; its listing.
    pub(crate) async fn add_fault(
        &self,
        rule: FaultRule,
    ) -> Result<serde_json::Value, ControlError> {
        rule.check()?;
        let text = serde_json::to_string(&rule).unwrap_or_default();
        let id = self
            .store()
            .add_fault(&text)
            .await
            .map_err(ControlError::store)?;
        self.reload_faults().await.map_err(ControlError::store)?;
        tracing::info!(fault = id, rule = %text, "fault rule added");
        Ok(serde_json::json!({ "id": id }))
    }

    /// Every rule with its counts.
    pub(crate) async fn list_faults(&self) -> Result<Vec<Listed>, ControlError> {
        let rows = self.reload_faults().await.map_err(ControlError::store)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let rule = serde_json::from_str(&row.rule).ok()?;
                Some(Listed {
                    id: row.id,
                    rule,
                    matched: row.seen,
                    fired: row.fired,
                })
            })
            .collect())
    }

    /// Deletes every rule.
    pub(crate) async fn clear_faults(&self) -> Result<(), ControlError> {
        self.store()
            .clear_faults()
            .await
            .map_err(ControlError::store)?;
        self.reload_faults().await.map_err(ControlError::store)?;
        tracing::info!("fault rules cleared");
        Ok(())
    }

    /// The fault check of an AWS request for `operation` addressing
    /// `resource`: waits out a firing rule's latency and answers its error,
    /// if it has one. Every rule that matches counts the request.
    pub(crate) async fn fault(
        &self,
        operation: Operation,
        request: &impl Scope,
    ) -> Result<(), ApiError> {
        if self.faults().is_empty() {
            return Ok(());
        }
        let rules = self.faults().get();
        let resource = request.scope();
        let resource = resource.as_ref();
        let matching = rules.iter().filter(|a| {
            a.operation == operation
                && a.resource
                    .as_ref()
                    .is_none_or(|r| resource.is_some_and(|given| given == r))
        });
        let mut latency = Duration::ZERO;
        let mut error = None;
        for armed in matching {
            let Some(n) = self
                .store()
                .match_fault(armed.id)
                .await
                .map_err(crate::write::store_failed)?
            else {
                continue;
            };
            if !armed.rule.fires(n) {
                continue;
            }
            self.store()
                .fire_fault(armed.id)
                .await
                .map_err(crate::write::store_failed)?;
            latency = latency.max(Duration::from_millis(armed.rule.latency_ms.unwrap_or(0)));
            if error.is_none() {
                error = armed.rule.error.map(|e| (armed.id, e));
            }
            let span = tracing::Span::current();
            span.record("fault", armed.id);
            let _ = FIRED.try_with(|f| f.store(armed.id, std::sync::atomic::Ordering::Relaxed));
            tracing::warn!(fault = armed.id, matched = n, "fault injected");
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match error {
            None => Ok(()),
            Some((id, e)) => Err(ApiError::new(
                e.code(),
                format!("fault rule {id} of the emulator's control API failed this request"),
            )),
        }
    }
}

/// The resource an AWS request addresses, for the rules that name one.
pub(crate) trait Scope {
    /// The resource, if the request addresses one.
    fn scope(&self) -> Option<ResourceId>;
}

/// Which requests address one resource (a rule with a `resource` can
/// match them) and which do not (only rules without one match them).
macro_rules! scopes {
    (addressed: $($a:ident),+; unaddressed: $($u:ident),+;) => {
        $(impl Scope for proton_cancel_wire::$a {
            fn scope(&self) -> Option<ResourceId> {
                Some(proton_cancel_wire::Addresses::resource_id(self))
            }
        })+
        $(impl Scope for proton_cancel_wire::$u {
            fn scope(&self) -> Option<ResourceId> {
                None
            }
        })+
    };
}

scopes! {
    addressed: CancelServiceInstanceDeploymentInput, CancelEnvironmentDeploymentInput,
        CancelServicePipelineDeploymentInput, CancelComponentDeploymentInput,
        GetServiceInstanceInput, GetEnvironmentInput, GetServiceInput, GetComponentInput,
        DeleteEnvironmentInput, DeleteComponentInput, CreateEnvironmentInput,
        CreateComponentInput, CreateServiceInstanceInput, UpdateServiceInstanceInput,
        UpdateEnvironmentInput, UpdateServicePipelineInput, UpdateComponentInput;
    unaddressed: ListServiceInstancesInput, GetDeploymentInput, ListDeploymentsInput,
        ListEnvironmentsInput, DeleteDeploymentInput, ListComponentsInput, CreateServiceInput,
        UpdateServiceInput, DeleteServiceInput, ListServicesInput;
}

#[cfg(test)]
mod tests {
    use super::{FaultRule, draw};

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).unwrap()
    }

    /// A count fires on the first matches only; a probability's draws
    /// depend on the seed and the match's number alone.
    #[test]
    fn a_count_fires_first_and_a_probability_draws_from_its_seed() {
        let two =
            rule(r#"{"operation": "GetEnvironment", "error": "ThrottlingException", "count": 2}"#);
        assert_eq!(
            (1..=4).map(|n| two.fires(n)).collect::<Vec<_>>(),
            [true, true, false, false]
        );
        let half = rule(
            r#"{"operation": "GetEnvironment", "error": "ThrottlingException", "probability": 0.5, "seed": 7}"#,
        );
        let fired = (1..=1000).filter(|n| half.fires(*n)).count();
        assert!((430..=570).contains(&fired), "{fired} of 1000 fired");
        // The first draws of seed 7, pinned: a change of the mix would
        // change which requests a seeded rule fails.
        let first: String = (1..=16)
            .map(|n| if half.fires(n) { 'x' } else { '.' })
            .collect();
        assert_eq!(first, "...xxx.xx.....x.");
        assert!((0..10_000u64).all(|n| (0.0..1.0).contains(&draw(3, n))));
        let never = rule(
            r#"{"operation": "GetEnvironment", "error": "ThrottlingException", "probability": 0}"#,
        );
        assert!(!(1..=100).any(|n| never.fires(n)));
    }
}
