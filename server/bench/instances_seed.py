"""Prints a seed of N service instances of service `shop` (i-1 … i-N), every
one IN_PROGRESS: the database the list benchmarks read (lists.sh,
instructions.sh).

    python3 server/bench/instances_seed.py 100000 > seed.json
"""
import json
import sys

n = int(sys.argv[1])
print(json.dumps({"serviceInstances": [
    {"serviceName": "shop", "name": f"i-{i}", "environmentName": "prod",
     "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
     "spec": "s", "deploymentStatus": "IN_PROGRESS"} for i in range(1, n + 1)]}))
