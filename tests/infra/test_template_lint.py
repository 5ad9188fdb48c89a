"""cfn-lint on template.yaml, and on what the real SAM transform (aws-sam-translator, in `.venv-cfn`) makes of it."""

import json
import os
import subprocess
from functools import cache
from pathlib import Path

import pytest

from tests.infra.template import (
    ALLOWED_MANAGED_POLICIES,
    CFN_LINT,
    CFN_PYTHON,
    REPO,
    TEMPLATE,
    as_list,
    assert_no_wildcards,
    branches,
    functions,
)

# ------------------------------------------------------------------ cfn-lint and the real SAM transform


def cfn_tool(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO)} is missing: run `make test` (it installs infra/requirements-cfn.txt)")
    return path


def run_cfn_lint(template: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cfn_tool(CFN_LINT)), "--format", "parseable", str(template)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )


def test_cfn_lint_passes_on_the_template() -> None:
    result = run_cfn_lint(TEMPLATE)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("      Timeout: 29\n", "      Timeout: 29\n      Timeuot: 29\n"))
    result = run_cfn_lint(broken)
    assert result.returncode != 0 and "Timeuot" in result.stdout


# Runs in .venv-cfn: SAM's own transform, with an image URI where `sam build` would put the pushed image.
TRANSFORM = """
import json, sys
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

template = yaml_parse(open(sys.argv[1]).read())
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["ImageUri"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tinyeclipse:test"
parameters = {"AWS::Region": "eu-west-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}
parameters.update(json.loads(sys.argv[2]))
managed = {"AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
translator = Translator(None, Parser())
output = translator.translate(template, parameter_values=parameters, get_managed_policy_map=lambda: managed)
json.dump(output, sys.stdout, indent=1)
"""

PARAMETER_SETS = {
    "defaults": {},
    "vpc-groq-reserved": {
        "SubnetIds": "subnet-0a,subnet-0b",
        "SecurityGroupIds": "sg-0a",
        "GroqApiKeyParameter": "/tinyeclipse/groq-api-key",
        "ChatReservedConcurrency": 5,
    },
}


@cache
def transformed(parameter_set: str, directory: Path) -> Path:
    result = subprocess.run(
        [str(cfn_tool(CFN_PYTHON)), "-c", TRANSFORM, str(TEMPLATE), json.dumps(PARAMETER_SETS[parameter_set])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"},
    )
    assert result.returncode == 0, f"the SAM transform failed:\n{result.stderr}"
    output = directory / f"{parameter_set}.json"
    output.write_text(result.stdout)
    return output


@pytest.fixture(scope="module")
def transform_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sam")


@pytest.mark.parametrize("parameter_set", sorted(PARAMETER_SETS))
def test_the_sam_transform_yields_a_template_cfn_lint_passes(parameter_set: str, transform_dir: Path) -> None:
    output = transformed(parameter_set, transform_dir)
    result = run_cfn_lint(output)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("parameter_set", sorted(PARAMETER_SETS))
def test_the_generated_roles_carry_no_wildcard(parameter_set: str, transform_dir: Path) -> None:
    resources = json.loads(transformed(parameter_set, transform_dir).read_text())["Resources"]
    roles = {i: r["Properties"] for i, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    assert len(roles) == len(functions())
    for role_id, role in roles.items():
        assert set(role.get("ManagedPolicyArns", [])) <= ALLOWED_MANAGED_POLICIES, role_id
        for policy in role.get("Policies", []):
            for document in branches(policy):
                for statement in as_list(document["PolicyDocument"]["Statement"]):
                    assert_no_wildcards(statement, role_id)
    assert not [i for i, r in resources.items() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")]
    mappings = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert [m["FunctionResponseTypes"] for m in mappings] == [["ReportBatchItemFailures"]]
