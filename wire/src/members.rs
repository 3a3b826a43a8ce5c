//! What the resource shapes share, written once and flattened into each:
//! the deployment members ([`DeploymentMembers`]), the attempt times of the
//! template kinds ([`AttemptTimes`]), their template ([`TemplateMembers`]),
//! the three together ([`TemplateDeployment`]), and how an observed state
//! is taken apart for them.

use proton_cancel::{
    Attempt, CancellationPhase, ClientToken, Configuration, DeploymentId, DeploymentStatus,
    Observed, ResourceId, ResourceName, Spec, StatusMessage, Success, TemplateRef, TemplateVersion,
    Timestamp,
};

wire_shape! {
    /// The members every resource shape shows of its deployment.
    pub struct DeploymentMembers {
        pub arn: String,
        pub created_at: Timestamp,
        pub deployment_status: DeploymentStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_status_message: Option<StatusMessage>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_attempted_deployment_id: Option<DeploymentId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_succeeded_deployment_id: Option<DeploymentId>,
    }
}

wire_shape! {
    /// `lastDeploymentAttemptedAt` and `lastDeploymentSucceededAt`, which the
    /// template kinds' shapes require even before any attempt or success: they
    /// show `createdAt` in their place.
    #[derive(Copy, Eq)]
    pub struct AttemptTimes {
        pub last_deployment_attempted_at: Timestamp,
        pub last_deployment_succeeded_at: Timestamp,
    }
}

wire_shape! {
    /// The template the template kinds deploy, and their spec.
    #[derive(Eq)]
    pub struct TemplateMembers {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<Spec>,
        pub template_major_version: TemplateVersion,
        pub template_minor_version: TemplateVersion,
        pub template_name: ResourceName,
    }
}

/// An observed state taken apart for a shape: the members every shape
/// shares, and what is left for the kind's own (moved, not copied).
pub(crate) struct Parts {
    pub(crate) deployment: DeploymentMembers,
    pub(crate) times: AttemptTimes,
    pub(crate) client_token: Option<ClientToken>,
    pub(crate) resource: ResourceId,
    pub(crate) applied: Configuration,
}

impl Parts {
    pub(crate) fn of(o: Observed, arn: &str) -> Self {
        let times = AttemptTimes {
            last_deployment_attempted_at: o.last_attempt.as_ref().map_or(o.created_at, |a| a.at),
            last_deployment_succeeded_at: o.last_success.map_or(o.created_at, |s| s.at),
        };
        let Observed {
            resource,
            status,
            status_message,
            created_at,
            applied,
            last_attempt,
            last_success,
            ..
        } = o;
        let (last_attempted, client_token) = match last_attempt {
            Some(a) => (Some(a.deployment_id), a.client_token),
            None => (None, None),
        };
        Self {
            deployment: DeploymentMembers {
                arn: arn.to_owned(),
                created_at,
                deployment_status: status,
                deployment_status_message: status_message,
                last_attempted_deployment_id: last_attempted,
                last_succeeded_deployment_id: last_success.map(|s| s.deployment_id),
            },
            times,
            client_token,
            resource,
            applied,
        }
    }
}

impl DeploymentMembers {
    /// The [`Observed`] value these members show of `resource`, with its
    /// `applied` configuration, the two attempt times and the last
    /// attempt's client token. The wire does not show the running
    /// attempt's target (GetDeployment does: set `target` from it before
    /// restoring a running resource), nor whether a cancellation has
    /// started: CANCELLING reads as [`CancellationPhase::Requested`].
    pub(crate) fn observed(
        &self,
        resource: ResourceId,
        applied: Configuration,
        (attempted_at, succeeded_at): (Timestamp, Timestamp),
        client_token: Option<&ClientToken>,
    ) -> Observed {
        let mut o = Observed::new(resource, self.created_at, applied);
        o.status = self.deployment_status.clone();
        o.cancellation = (self.deployment_status == DeploymentStatus::Cancelling)
            .then_some(CancellationPhase::Requested);
        o.status_message = self.deployment_status_message.clone();
        o.last_attempt = self
            .last_attempted_deployment_id
            .map(|deployment_id| Attempt {
                deployment_id,
                at: attempted_at,
                client_token: client_token.cloned(),
            });
        o.last_success = self
            .last_succeeded_deployment_id
            .map(|deployment_id| Success {
                deployment_id,
                at: succeeded_at,
            });
        o
    }
}

impl AttemptTimes {
    fn pair(self) -> (Timestamp, Timestamp) {
        (
            self.last_deployment_attempted_at,
            self.last_deployment_succeeded_at,
        )
    }
}

impl TemplateMembers {
    fn of(template: TemplateRef, spec: Option<Spec>) -> Self {
        Self {
            spec,
            template_major_version: template.major,
            template_minor_version: template.minor,
            template_name: template.name,
        }
    }

    fn configuration(&self) -> Configuration {
        Configuration::Template {
            template: TemplateRef {
                name: self.template_name.clone(),
                major: self.template_major_version.clone(),
                minor: self.template_minor_version.clone(),
            },
            spec: self.spec.clone(),
        }
    }
}

wire_shape! {
    /// What the three template kinds' shapes share: their deployment, its
    /// attempt times and the template.
    pub struct TemplateDeployment {
        #[serde(flatten)]
        pub deployment: DeploymentMembers,
        #[serde(flatten)]
        pub times: AttemptTimes,
        #[serde(flatten)]
        pub template: TemplateMembers,
    }
}

impl TemplateDeployment {
    /// The [`Observed`] value these members show of `resource`, with the
    /// last attempt's client token where the shape shows one.
    pub(crate) fn observed(
        &self,
        resource: ResourceId,
        client_token: Option<&ClientToken>,
    ) -> Observed {
        let configuration = self.template.configuration();
        let times = self.times.pair();
        self.deployment
            .observed(resource, configuration, times, client_token)
    }
}

impl DeploymentMembers {
    /// These members with the attempt times and the template of a
    /// template kind's shape. (Built in place: a shape built from a
    /// returned tuple measured 100 ns slower on the request path.)
    pub(crate) fn with_template(
        self,
        times: AttemptTimes,
        template: TemplateRef,
        spec: Option<Spec>,
    ) -> TemplateDeployment {
        TemplateDeployment {
            deployment: self,
            times,
            template: TemplateMembers::of(template, spec),
        }
    }
}

/// A `description` (`Description`, sensitive in the model): `Debug` prints
/// `Description(<redacted>)`; the wire shows the text.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    /// Wraps a description (the request checked its length).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Description {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Description(<redacted>)")
    }
}
