"""Conformance of the emulator with botocore, the AWS SDK for Python.

An independent second client: botocore builds its requests and parses the
answers from its own copy of the Proton service model, so anything the
emulator gets wrong on the wire fails here even where the Rust SDK is
lenient. The script starts the server binary itself on 127.0.0.1 (a free
port), with a seed that holds one resource per kind and race, runs the
races on the real clock with short engine delays, and stops the server by
its pid.

    PROTON_CANCEL_SERVER=target/debug/proton-cancel-server python conformance.py

.ci/run installs the pinned botocore in a virtual environment and runs it.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import botocore.exceptions
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

SERVER = os.environ.get("PROTON_CANCEL_SERVER", "target/debug/proton-cancel-server")
PATTERN = r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$"
TEMPLATE = {"templateName": "tmpl", "templateMajorVersion": "1", "templateMinorVersion": "0"}

# How each race is staged: the engine script of its resource.
RACES = {
    # The update never finishes; the rollback starts after 50 ms and
    # succeeds 50 ms later.
    "cancelled": {"updateAfterMs": None, "cancelStartAfterMs": 50, "cancelFinishAfterMs": 50},
    # The same, but the rollback fails.
    "failed": {"updateAfterMs": None, "cancelStartAfterMs": 50, "cancelFinishAfterMs": 50,
               "cancelResult": "FAILED"},
    # The update finishes 1.5 s after it starts; the rollback never starts,
    # so the update wins and the cancel has no effect.
    "won": {"updateAfterMs": 1500, "cancelStartAfterMs": None},
}
ENDS = {
    "cancelled": ("CANCELLED", "User initiated cancellation."),
    "failed": ("FAILED", "Cancellation failed: the rollback did not complete."),
    "won": ("SUCCEEDED", None),
}


def seed():
    """One resource of each kind per race, all SUCCEEDED until updated."""
    # Created resources take the server's engine: their first deployment
    # succeeds after 500 ms.
    s = {"engine": {"updateAfterMs": 500},
         "serviceInstances": [], "environments": [], "servicePipelines": [], "components": []}
    for race, engine in RACES.items():
        s["serviceInstances"].append(
            dict(TEMPLATE, serviceName="shop", name=f"web-{race}", environmentName="prod", engine=engine))
        s["environments"].append(dict(TEMPLATE, name=f"env-{race}", engine=engine))
        s["servicePipelines"].append(
            dict(TEMPLATE, serviceName=f"svc-{race}", environmentName="prod", engine=engine))
        s["components"].append(
            {"name": f"comp-{race}", "environmentName": "prod", "spec": "v1", "engine": engine})
    s["environments"].append(dict(TEMPLATE, name="idle"))
    # Deletion: each ends 100 ms after its delete, one of them failing.
    s["environments"].append(dict(TEMPLATE, name="bare", engine={"deleteAfterMs": 100}))
    s["environments"].append(dict(TEMPLATE, name="brief", deploymentStatus="IN_PROGRESS",
                                  engine={"updateAfterMs": 100}))
    # A service instance of its own for a component to be attached to.
    s["serviceInstances"].append(
        dict(TEMPLATE, serviceName="lone", name="solo", environmentName="attic"))
    s["components"].append({"name": "gone", "environmentName": "attic", "spec": "v1",
                            "engine": {"deleteAfterMs": 100}})
    s["components"].append({"name": "stuck", "environmentName": "attic", "spec": "v1",
                            "engine": {"deleteAfterMs": 100, "deleteResult": "FAILED"}})
    for i in range(5):
        s["serviceInstances"].append(
            dict(TEMPLATE, serviceName="many", name=f"m{i}", environmentName="prod",
                 deploymentStatus="IN_PROGRESS", engine={"updateAfterMs": None}))
    return s


class Kind:
    """The operations of one kind, with botocore's member names."""

    def __init__(self, name, update, cancel, get, shape):
        self.name, self.update, self.cancel, self.get, self.shape = name, update, cancel, get, shape


def kinds(c):
    return [
        Kind("service instance",
             lambda r: c.update_service_instance(serviceName="shop", name=f"web-{r}",
                                                 deploymentType="CURRENT_VERSION", spec="v2"),
             lambda r: c.cancel_service_instance_deployment(serviceName="shop",
                                                            serviceInstanceName=f"web-{r}"),
             lambda r: c.get_service_instance(serviceName="shop", name=f"web-{r}"),
             lambda out: out["serviceInstance"]),
        Kind("environment",
             lambda r: c.update_environment(name=f"env-{r}", deploymentType="CURRENT_VERSION", spec="v2"),
             lambda r: c.cancel_environment_deployment(environmentName=f"env-{r}"),
             lambda r: c.get_environment(name=f"env-{r}"),
             lambda out: out["environment"]),
        Kind("service pipeline",
             lambda r: c.update_service_pipeline(serviceName=f"svc-{r}", deploymentType="CURRENT_VERSION",
                                                 spec="v2"),
             lambda r: c.cancel_service_pipeline_deployment(serviceName=f"svc-{r}"),
             lambda r: c.get_service(name=f"svc-{r}"),
             lambda out: out["pipeline"] if "pipeline" in out else out["service"]["pipeline"]),
        Kind("component",
             lambda r: c.update_component(name=f"comp-{r}", deploymentType="CURRENT_VERSION",
                                          serviceSpec="v2"),
             lambda r: c.cancel_component_deployment(componentName=f"comp-{r}"),
             lambda r: c.get_component(name=f"comp-{r}"),
             lambda out: out["component"]),
    ]


class Emulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seed_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(seed(), cls.seed_file)
        cls.seed_file.close()
        cls.server = subprocess.Popen(
            [SERVER, "--port", "0", "--database", "memory", "--seed", cls.seed_file.name],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = cls.server.stdout.readline()
        prefix = "proton-cancel-server listening on "
        if not line.startswith(prefix):
            cls.server.kill()
            raise RuntimeError(f"no listening line: {line!r}")
        endpoint = line[len(prefix):].split(" ")[0]
        cls.client = botocore.session.get_session().create_client(
            "proton", region_name="us-east-1", endpoint_url=endpoint,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}))

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()  # SIGTERM to the pid this script started
        try:
            cls.server.wait(timeout=10)
        finally:
            if cls.server.poll() is None:
                cls.server.kill()
            os.unlink(cls.seed_file.name)

    def error(self, call):
        with self.assertRaises(ClientError) as caught:
            call()
        return caught.exception.response

    def settle(self, kind, race, deadline_s=10.0):
        """Polls the resource until it leaves IN_PROGRESS and CANCELLING."""
        end = time.monotonic() + deadline_s
        while True:
            shape = kind.shape(kind.get(race))
            if shape["deploymentStatus"] not in ("IN_PROGRESS", "CANCELLING"):
                return shape
            self.assertLess(time.monotonic(), end, f"{kind.name} {race} never settled")
            time.sleep(0.05)

    def test_every_kind_ends_each_race_as_documented_and_its_record_agrees(self):
        for kind in kinds(self.client):
            for race, (status, message) in ENDS.items():
                with self.subTest(kind=kind.name, race=race):
                    updated = kind.update(race)
                    attempt = kind.shape(updated)
                    self.assertEqual(attempt["deploymentStatus"], "IN_PROGRESS")
                    self.assertEqual(len(updated["ResponseMetadata"]["RequestId"]), 36)
                    cancelled = kind.cancel(race)
                    self.assertEqual(kind.shape(cancelled)["deploymentStatus"], "CANCELLING")
                    final = self.settle(kind, race)
                    self.assertEqual(final["deploymentStatus"], status)
                    self.assertEqual(final.get("deploymentStatusMessage"), message)
                    deployment_id = attempt["lastAttemptedDeploymentId"]
                    record = self.client.get_deployment(id=deployment_id)["deployment"]
                    self.assertEqual(record["deploymentStatus"], status)
                    self.assertEqual(record.get("deploymentStatusMessage"), message)
                    self.assertIn("completedAt", record)
                    self.assertEqual(record["id"], deployment_id)

    def test_a_missing_resource_is_not_found_in_aws_words(self):
        err = self.error(lambda: self.client.cancel_environment_deployment(environmentName="nowhere"))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"], "environment 'nowhere' was not found")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(len(err["ResponseMetadata"]["RequestId"]), 36)

    def test_a_cancel_with_nothing_to_cancel_is_a_conflict_in_aws_words(self):
        err = self.error(lambda: self.client.cancel_environment_deployment(environmentName="idle"))
        self.assertEqual(err["Error"]["Code"], "ConflictException")
        self.assertEqual(
            err["Error"]["Message"],
            "cannot cancel the deployment of environment 'idle': its deployment status is "
            "SUCCEEDED; only a deployment that is IN_PROGRESS can be cancelled")
        first = self.client.cancel_service_instance_deployment(serviceName="many", serviceInstanceName="m0")
        self.assertEqual(first["serviceInstance"]["deploymentStatus"], "CANCELLING")
        err = self.error(lambda: self.client.cancel_service_instance_deployment(
            serviceName="many", serviceInstanceName="m0"))
        self.assertEqual(err["Error"]["Code"], "ConflictException")
        self.assertEqual(
            err["Error"]["Message"],
            "cannot cancel the deployment of service instance 'm0' of service 'many': its deployment "
            "status is CANCELLING; a cancellation of its deployment is already in progress")

    def test_validation_messages_are_aws_words_with_the_value_verbatim(self):
        long = "a" * 101
        err = self.error(lambda: self.client.get_service_instance(serviceName="shop", name=long))
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertEqual(
            err["Error"]["Message"],
            f"1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: "
            "Member must have length less than or equal to 100")
        err = self.error(lambda: self.client.cancel_service_instance_deployment(
            serviceName="it's", serviceInstanceName="web!"))
        self.assertEqual(
            err["Error"]["Message"],
            "2 validation errors detected: "
            f"Value 'web!' at 'serviceInstanceName' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {PATTERN}; "
            f"Value 'it's' at 'serviceName' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {PATTERN}")

    def test_paginators_walk_past_the_first_page(self):
        pages = list(self.client.get_paginator("list_service_instances").paginate(
            serviceName="many", PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        names = [s["name"] for p in pages for s in p["serviceInstances"]]
        self.assertEqual(names, ["m0", "m1", "m2", "m3", "m4"])
        pages = list(self.client.get_paginator("list_deployments").paginate(
            serviceName="many", PaginationConfig={"PageSize": 2}))
        ids = [d["serviceInstanceName"] for p in pages for d in p["deployments"]]
        self.assertEqual(ids, ["m4", "m3", "m2", "m1", "m0"])

    def test_aws_component_deleted_waiter_ends_on_both_outcomes_of_a_deletion(self):
        waiter = self.client.get_waiter("component_deleted")
        deleting = self.client.delete_component(name="gone")["component"]
        self.assertEqual(deleting["deploymentStatus"], "DELETE_IN_PROGRESS")
        waiter.wait(name="gone", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        err = self.error(lambda: self.client.get_component(name="gone"))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.client.delete_component(name="stuck")
        with self.assertRaises(botocore.exceptions.WaiterError) as failed:
            waiter.wait(name="stuck", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        self.assertIn("DELETE_FAILED", str(failed.exception))
        shape = self.client.get_component(name="stuck")["component"]
        self.assertEqual(shape["deploymentStatusMessage"],
                         "Deletion failed: the provisioned resources could not be removed.")

    def test_an_environment_deletion_runs_to_the_end_and_then_it_is_not_found(self):
        deleting = self.client.delete_environment(name="bare")["environment"]
        self.assertEqual(deleting["deploymentStatus"], "DELETE_IN_PROGRESS")
        end = time.monotonic() + 10.0
        while True:
            try:
                self.client.get_environment(name="bare")
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "ResourceNotFoundException")
                self.assertEqual(e.response["Error"]["Message"], "environment 'bare' was not found")
                break
            self.assertLess(time.monotonic(), end, "the deletion never finished")
            time.sleep(0.05)
        err = self.error(lambda: self.client.delete_environment(name="prod-missing"))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_a_created_environment_deploys_and_aws_environment_deployed_waiter_sees_it(self):
        created = self.client.create_environment(
            name="fresh", templateName="tmpl", templateMajorVersion="1", spec="s")["environment"]
        self.assertEqual(created["deploymentStatus"], "IN_PROGRESS")
        self.assertEqual(created["templateMinorVersion"], "0")
        self.client.get_waiter("environment_deployed").wait(
            name="fresh", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        err = self.error(lambda: self.client.create_environment(
            name="fresh", templateName="tmpl", templateMajorVersion="1", spec="s"))
        self.assertEqual(err["Error"]["Code"], "ConflictException")
        self.assertEqual(err["Error"]["Message"],
                         "environment 'fresh' already exists: choose another name, or delete it first")

    def test_the_environment_and_component_paginators_walk_every_page(self):
        pages = list(self.client.get_paginator("list_environments").paginate(
            PaginationConfig={"PageSize": 2}))
        names = [e["name"] for p in pages for e in p["environments"]]
        self.assertEqual(names, sorted(names))
        self.assertIn("idle", names)
        self.assertGreater(len(pages), 2)
        pages = list(self.client.get_paginator("list_components").paginate(
            environmentName="prod", PaginationConfig={"PageSize": 1}))
        names = [c["name"] for p in pages for c in p["components"]]
        self.assertEqual(names, ["comp-cancelled", "comp-failed", "comp-won"])

    def test_a_component_created_on_a_service_instance_shows_it_and_is_listed_by_it(self):
        created = self.client.create_component(
            name="side", serviceName="lone", serviceInstanceName="solo", manifest="m",
            templateFile="t", serviceSpec="v1")["component"]
        self.assertEqual(created["deploymentStatus"], "IN_PROGRESS")
        self.assertEqual((created["environmentName"], created["serviceName"],
                          created["serviceInstanceName"]), ("attic", "lone", "solo"))
        listed = self.client.list_components(serviceName="lone")["components"]
        self.assertEqual([c["name"] for c in listed], ["side"])
        err = self.error(lambda: self.client.create_component(
            name="lost", environmentName="nowhere", manifest="m", templateFile="t"))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"], "environment 'nowhere' was not found")

    def test_delete_deployment_removes_an_ended_deployments_record(self):
        running = self.client.list_deployments(serviceName="many")["deployments"][0]["id"]
        err = self.error(lambda: self.client.delete_deployment(id=running))
        self.assertEqual(err["Error"]["Code"], "ConflictException")
        # `brief`'s first deployment ends 100 ms after the server starts.
        end = time.monotonic() + 10.0
        while True:
            (record,) = self.client.list_deployments(environmentName="brief")["deployments"]
            if record["deploymentStatus"] == "SUCCEEDED":
                break
            self.assertLess(time.monotonic(), end, "brief's deployment never ended")
            time.sleep(0.05)
        gone = self.client.delete_deployment(id=record["id"])["deployment"]
        self.assertEqual((gone["id"], gone["deploymentStatus"]), (record["id"], "SUCCEEDED"))
        err = self.error(lambda: self.client.get_deployment(id=record["id"]))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_a_service_runs_its_life_and_aws_service_waiters_see_each_end(self):
        spec = ("proton: ServiceSpec\npipeline:\n  dockerfile: Dockerfile\ninstances:\n"
                "  - name: a\n    environment: idle\n  - name: b\n    environment: idle\n")
        created = self.client.create_service(
            name="mall", templateName="tmpl", templateMajorVersion="1", spec=spec,
            description="the mall")["service"]
        self.assertEqual((created["status"], created["pipeline"]["deploymentStatus"]),
                         ("CREATE_IN_PROGRESS", "IN_PROGRESS"))
        self.assertEqual((created["spec"], created["description"]), (spec, "the mall"))
        config = {"Delay": 1, "MaxAttempts": 10}
        self.client.get_waiter("service_created").wait(name="mall", WaiterConfig=config)
        more = spec + "  - name: c\n    environment: idle\n"
        updated = self.client.update_service(name="mall", spec=more)["service"]
        self.assertEqual(updated["status"], "UPDATE_IN_PROGRESS")
        self.client.get_waiter("service_updated").wait(name="mall", WaiterConfig=config)
        added = self.client.create_service_instance(
            serviceName="mall", name="d",
            spec=more + "  - name: d\n    environment: idle\n")["serviceInstance"]
        self.assertEqual((added["deploymentStatus"], added["environmentName"]),
                         ("IN_PROGRESS", "idle"))
        self.client.get_waiter("service_instance_deployed").wait(
            serviceName="mall", name="d", WaiterConfig=config)
        pages = list(self.client.get_paginator("list_services").paginate(
            PaginationConfig={"PageSize": 2}))
        names = [s["name"] for p in pages for s in p["services"]]
        self.assertEqual(names, sorted(names))
        self.assertIn("mall", names)
        self.assertGreater(len(pages), 2)
        deleting = self.client.delete_service(name="mall")["service"]
        self.assertEqual(deleting["status"], "DELETE_IN_PROGRESS")
        self.client.get_waiter("service_deleted").wait(name="mall", WaiterConfig=config)
        err = self.error(lambda: self.client.get_service(name="mall"))
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]),
                         ("ResourceNotFoundException", "service 'mall' was not found"))

    def test_a_service_spec_that_is_not_a_service_spec_says_what_is_wrong(self):
        err = self.error(lambda: self.client.create_service(
            name="bad", templateName="tmpl", templateMajorVersion="1",
            spec="proton: ServiceSpec\ninstances:\n  - name: a\n"))
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]),
                         ("ValidationException", "instance 1 of the spec has no `environment`"))

    def test_an_unknown_deployment_is_not_found(self):
        err = self.error(lambda: self.client.get_deployment(id="00000000-0000-4000-8000-00000000ffff"))
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"],
                         "deployment '00000000-0000-4000-8000-00000000ffff' was not found")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
