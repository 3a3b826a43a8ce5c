//! A page of a list as the body it is sent as: each item's summary as JSON
//! text, under the member the operation names, then `nextToken`.
//!
//! Written here rather than through the wire's output struct so that the
//! summaries stored with the rows (`Row::listed`) go out as they were
//! stored, without being decoded and written again: on a page of 100
//! service instances, decoding every snapshot and writing every summary
//! was three quarters of the server's instructions (docs/performance.md).
//! The body is byte for byte the one the wire's output writes (a unit test
//! holds the two together).

use std::fmt::Display;
use std::marker::PhantomData;

use proton_cancel_wire::{ApiError, Body, NextToken, PageOutput};
use serde::Serialize;

/// One page of the list `O` answers with.
pub(crate) struct Page<O> {
    items: Vec<String>,
    next_token: Option<NextToken>,
    output: PhantomData<O>,
}

impl<O: PageOutput> Page<O> {
    /// The page of `items`, each a summary's JSON text ([`written`] or
    /// [`stored`]), and the next page's token.
    pub(crate) fn new(items: Vec<String>, next_token: Option<NextToken>) -> Self {
        Self {
            items,
            next_token,
            output: PhantomData,
        }
    }

    /// The page of `items`, each written as its summary, and the next
    /// page's token.
    pub(crate) fn of(items: &[O::Item], next_token: Option<NextToken>) -> Result<Self, ApiError> {
        let items = items.iter().map(written).collect::<Result<_, _>>()?;
        Ok(Self::new(items, next_token))
    }
}

/// `item` written as JSON text.
pub(crate) fn written(item: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(item)
        .map_err(|e| ApiError::internal(format!("a summary cannot be written: {e}")))
}

/// A summary stored as JSON text; `what` names its item when the text is
/// not the outline of a JSON object (a row damaged outside the server),
/// and is formatted only then.
///
/// Only the outline is checked, not the whole text: the server writes a
/// summary in the same transaction as the row it summarizes, from the same
/// state, and reading every summary through a JSON parser cost 18 % of a
/// page's instructions (callgrind, docs/performance.md).
pub(crate) fn stored(text: String, what: &dyn Display) -> Result<String, ApiError> {
    if text.starts_with('{') && text.ends_with('}') {
        Ok(text)
    } else {
        Err(ApiError::internal(format!(
            "the stored summary of {what} is not a JSON object"
        )))
    }
}

impl<O: PageOutput> Body for Page<O> {
    fn to_json(&self) -> Vec<u8> {
        let size: usize = self.items.iter().map(|i| i.len().saturating_add(1)).sum();
        let mut body = Vec::with_capacity(size.saturating_add(O::MEMBER.len()).saturating_add(64));
        body.extend_from_slice(b"{\"");
        body.extend_from_slice(O::MEMBER.as_bytes());
        body.extend_from_slice(b"\":[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(item.as_bytes());
        }
        body.push(b']');
        if let Some(token) = &self.next_token {
            body.extend_from_slice(b",\"nextToken\":");
            // A token is hex digits: writing it cannot fail.
            let _ = serde_json::to_writer(&mut body, token);
        }
        body.push(b'}');
        body
    }
}

#[cfg(test)]
mod tests {
    use proton_cancel_wire::{
        Body, DeploymentSummary, ListDeploymentsOutput, NextToken, PageOutput,
    };

    use super::{Page, stored};

    fn summary(id: u128) -> DeploymentSummary {
        serde_json::from_value(serde_json::json!({
            "arn": format!("arn:aws:proton:us-east-1:123456789012:deployment/{id}"),
            "createdAt": 1.5,
            "deploymentStatus": "IN_PROGRESS",
            "environmentName": "prod",
            "id": proton_cancel::DeploymentId::from_u128(id).to_string(),
            "lastModifiedAt": 2,
            "targetArn": "arn:aws:proton:us-east-1:123456789012:environment/prod",
            "targetResourceCreatedAt": 1,
            "targetResourceType": "ENVIRONMENT",
        }))
        .unwrap()
    }

    /// The page writes what the wire's output writes, with and without a
    /// next page, empty or not, from summaries written or stored.
    #[test]
    fn a_page_is_byte_for_byte_the_wire_outputs_body() {
        let items = vec![summary(1), summary(2)];
        for (items, next_token) in [
            (vec![], None),
            (items.clone(), None),
            (items.clone(), Some(NextToken::at("deployment/3"))),
        ] {
            let wire = ListDeploymentsOutput {
                deployments: items.clone(),
                next_token: next_token.clone(),
            }
            .to_json();
            let written = Page::<ListDeploymentsOutput>::of(&items, next_token.clone()).unwrap();
            assert_eq!(
                String::from_utf8(written.to_json()),
                String::from_utf8(wire.clone())
            );
            let texts = items
                .iter()
                .map(|i| stored(serde_json::to_string(i).unwrap(), &"a record").unwrap())
                .collect();
            let stored = Page::<ListDeploymentsOutput>::new(texts, next_token);
            assert_eq!(String::from_utf8(stored.to_json()), String::from_utf8(wire));
        }
        assert_eq!(ListDeploymentsOutput::MEMBER, "deployments");
    }

    #[test]
    fn a_stored_summary_that_is_not_a_json_object_is_refused_by_name() {
        for text in ["{\"arn\":", "", "[]", "null"] {
            let err = stored(text.to_owned(), &"deployment 7").unwrap_err();
            assert_eq!(
                err.message(),
                "the stored summary of deployment 7 is not a JSON object",
                "{text}"
            );
        }
        assert_eq!(stored("{}".to_owned(), &"deployment 7").unwrap(), "{}");
    }
}
