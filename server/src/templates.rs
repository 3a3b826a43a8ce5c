//! The template versions the server knows, when its seed lists them, and
//! the check every deployment's target passes.

use std::collections::{BTreeMap, BTreeSet};

use proton_cancel::{Configuration, ResourceKind, ResourceName, TemplateVersion};
use proton_cancel_wire::{ApiError, ErrorCode};

use crate::seed::{Seed, SeedTemplate};

/// Each template's versions, as (major, minor).
type Known = BTreeMap<ResourceName, BTreeSet<(TemplateVersion, TemplateVersion)>>;

/// The templates the seed lists, per kind of template; a kind the seed
/// lists none of accepts every template and version.
#[derive(Debug, Clone, Default)]
pub(crate) struct Templates {
    environment: Option<Known>,
    service: Option<Known>,
}

fn known(listed: Option<&Vec<SeedTemplate>>) -> Option<Known> {
    listed.map(|templates| {
        let mut known = Known::new();
        for t in templates {
            known.entry(t.name.clone()).or_default().extend(
                t.versions
                    .iter()
                    .map(|v| (v.major.clone(), v.minor.clone())),
            );
        }
        known
    })
}

impl Templates {
    /// The newest minor version the seed lists of `name` at `major`, for a
    /// resource of `kind`: what AWS calls the recommended version, taken
    /// when a deployment gives no minor version. `None` when the seed lists
    /// no templates of that kind, or not this one.
    pub(crate) fn recommended(
        &self,
        kind: ResourceKind,
        name: &ResourceName,
        major: &TemplateVersion,
    ) -> Option<TemplateVersion> {
        // Versions are numbers without leading zeros: the longer is the
        // larger, and equal lengths compare as text.
        let (known, _) = self.of_kind(kind);
        known
            .as_ref()?
            .get(name)?
            .iter()
            .filter(|(m, _)| m == major)
            .map(|(_, minor)| minor)
            .max_by_key(|minor| (minor.as_str().len(), minor.as_str()))
            .cloned()
    }

    /// `configuration` with its minor version replaced by the recommended
    /// one, for a deployment that gave no minor version; unchanged when the
    /// seed lists none for its template and major version.
    pub(crate) fn with_recommended_minor(
        &self,
        kind: ResourceKind,
        mut configuration: Configuration,
    ) -> Configuration {
        if let Configuration::Template { template, .. } = &mut configuration
            && let Some(minor) = self.recommended(kind, &template.name, &template.major)
        {
            template.minor = minor;
        }
        configuration
    }

    /// The templates of the kind a resource of `kind` deploys, and the
    /// kind's name for messages.
    fn of_kind(&self, kind: ResourceKind) -> (&Option<Known>, &'static str) {
        match kind {
            ResourceKind::Environment => (&self.environment, "environment template"),
            _ => (&self.service, "service template"),
        }
    }

    /// The templates `seed` lists.
    pub(crate) fn of(seed: &Seed) -> Self {
        Self {
            environment: known(seed.environment_templates.as_ref()),
            service: known(seed.service_templates.as_ref()),
        }
    }

    /// Whether a resource of `kind` may deploy `configuration`: a
    /// component's configuration names no template; a template kind's
    /// template and version must be listed, when the seed lists that kind
    /// of template. ResourceNotFoundException names what is missing.
    pub(crate) fn check(
        &self,
        kind: ResourceKind,
        configuration: &Configuration,
    ) -> Result<(), ApiError> {
        let Configuration::Template { template, .. } = configuration else {
            return Ok(());
        };
        let (known, what) = self.of_kind(kind);
        let Some(known) = known else {
            return Ok(());
        };
        let missing =
            |message: String| Err(ApiError::new(ErrorCode::ResourceNotFoundException, message));
        match known.get(&template.name) {
            None => missing(format!("{what} '{}' was not found", template.name)),
            Some(versions)
                if !versions.contains(&(template.major.clone(), template.minor.clone())) =>
            {
                missing(format!(
                    "{what} '{}' has no version {}.{}",
                    template.name, template.major, template.minor
                ))
            }
            Some(_) => Ok(()),
        }
    }
}
