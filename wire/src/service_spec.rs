//! The service spec: the YAML document CreateService, UpdateService and
//! CreateServiceInstance take, read for what the emulator acts on (whether
//! there is a pipeline, and each instance's name and environment). Parsed
//! with `yaml-rust2`; every other member is the template's business and is
//! kept as text, not read.
//!
//! ```yaml
//! proton: ServiceSpec
//! pipeline:
//!   dockerfile: Dockerfile
//! instances:
//!   - name: web
//!     environment: prod
//!     spec:
//!       port: 80
//! ```

use proton_cancel::{ResourceName, Spec};
use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{ApiError, ErrorCode};

/// One instance a service spec names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InstanceSpec {
    /// `name`: the instance's name, unique within the spec.
    pub name: ResourceName,
    /// `environment`: the environment it is deployed to.
    pub environment: ResourceName,
}

/// What the emulator reads of a service spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServiceSpec {
    /// Whether it has a `pipeline:` section (with any value but null).
    pub pipeline: bool,
    /// Its `instances:`, in the order given.
    pub instances: Vec<InstanceSpec>,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::ValidationException, message)
}

/// A member's value as a string, if it is one (numbers and booleans too,
/// as YAML writes them: `name: 1` names instance `1`).
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

impl ServiceSpec {
    /// Reads `spec`.
    ///
    /// # Errors
    /// ValidationException, saying what is wrong: the text is not YAML;
    /// it is not a mapping that says `proton: ServiceSpec`; `instances` is
    /// not a list; an instance is not a mapping, or lacks a valid `name` or
    /// `environment`; two instances have the same name; or it names no
    /// instance. The messages never quote the
    /// spec's text (it is sensitive), only names that are valid.
    ///
    /// ```
    /// use proton_cancel::Spec;
    /// use proton_cancel_wire::ServiceSpec;
    ///
    /// let spec = Spec::new("proton: ServiceSpec\ninstances:\n  - name: web\n    environment: prod\n")
    ///     .unwrap();
    /// let read = ServiceSpec::parse(&spec).unwrap();
    /// assert!(!read.pipeline);
    /// assert_eq!(read.instances[0].name.as_str(), "web");
    ///
    /// let twice = Spec::new(
    ///     "proton: ServiceSpec\ninstances:\n  - {name: web, environment: prod}\n  - {name: web, environment: dev}\n",
    /// ).unwrap();
    /// assert_eq!(
    ///     ServiceSpec::parse(&twice).unwrap_err().message(),
    ///     "the spec names instance 'web' twice (instances 1 and 2): an instance's name is unique within its service",
    /// );
    /// ```
    pub fn parse(spec: &Spec) -> Result<Self, ApiError> {
        let docs = YamlLoader::load_from_str(spec.as_str())
            .map_err(|e| invalid(format!("the spec is not a YAML document: {e}")))?;
        let Some(Yaml::Hash(top)) = docs.first() else {
            return Err(invalid(
                "the spec is not a service spec: it is to be a YAML mapping that starts \
                 `proton: ServiceSpec`"
                    .to_owned(),
            ));
        };
        let member = |name: &str| top.get(&Yaml::String(name.to_owned()));
        if member("proton").and_then(scalar).as_deref() != Some("ServiceSpec") {
            return Err(invalid(
                "the spec is not a service spec: it says `proton: ServiceSpec`".to_owned(),
            ));
        }
        let pipeline = member("pipeline").is_some_and(|p| !p.is_null());
        let listed = match member("instances") {
            None | Some(Yaml::Null) => &[][..],
            Some(Yaml::Array(list)) => list.as_slice(),
            Some(_) => {
                return Err(invalid(
                    "the spec's `instances` is not a list: each instance is an item \
                     `- name: …` with its `environment`"
                        .to_owned(),
                ));
            }
        };
        let mut instances: Vec<InstanceSpec> = Vec::with_capacity(listed.len());
        for (i, item) in listed.iter().enumerate() {
            let n = i.saturating_add(1);
            let instance = Self::instance(n, item)?;
            if let Some(first) = instances.iter().position(|x| x.name == instance.name) {
                return Err(invalid(format!(
                    "the spec names instance '{}' twice (instances {} and {n}): an \
                     instance's name is unique within its service",
                    instance.name,
                    first.saturating_add(1)
                )));
            }
            instances.push(instance);
        }
        if instances.is_empty() {
            return Err(invalid(
                "the spec names no instance: a service has at least one, in whose environment \
                 its pipeline's deployments are recorded"
                    .to_owned(),
            ));
        }
        Ok(Self {
            pipeline,
            instances,
        })
    }

    /// Instance `n` (from 1) of the list, `item`.
    fn instance(n: usize, item: &Yaml) -> Result<InstanceSpec, ApiError> {
        let Yaml::Hash(fields) = item else {
            return Err(invalid(format!(
                "instance {n} of the spec is not a mapping: it is to give `name` and `environment`"
            )));
        };
        let field = |member: &str| {
            let value = fields
                .get(&Yaml::String(member.to_owned()))
                .and_then(scalar)
                .ok_or_else(|| invalid(format!("instance {n} of the spec has no `{member}`")))?;
            ResourceName::new(&value).map_err(|e| {
                invalid(format!(
                    "instance {n} of the spec: its `{member}` is invalid: {e}"
                ))
            })
        };
        Ok(InstanceSpec {
            name: field("name")?,
            environment: field("environment")?,
        })
    }

    /// The instance named `name`, if the spec names it.
    pub fn instance_named(&self, name: &ResourceName) -> Option<&InstanceSpec> {
        self.instances.iter().find(|i| &i.name == name)
    }
}
