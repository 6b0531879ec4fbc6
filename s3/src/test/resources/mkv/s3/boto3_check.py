"""boto3 against the mkv S3 gateway: run by Boto3Test, one line per check, exit 1 on the first failure.

Environment: MKV_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, MKV_S3_WORK (a scratch dir),
MKV_S3_BUCKET.
"""
import base64
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["MKV_S3_ENDPOINT"]
BUCKET = os.environ["MKV_S3_BUCKET"]
WORK = os.environ["MKV_S3_WORK"]
CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                region_name="us-east-1")


def client(secret=None):
    return boto3.session.Session().client(
        "s3", endpoint_url=ENDPOINT, config=CONFIG,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"])


def ok(name):
    print("ok " + name, flush=True)


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def main():
    print("boto3 %s botocore %s python %s" % (boto3.__version__, botocore.__version__, sys.version.split()[0]))
    s3 = client()
    s3.create_bucket(Bucket=BUCKET)
    ok("create_bucket")

    # 50 MiB through s3transfer with 8 MiB parts, both ways
    src = os.path.join(WORK, "big.bin")
    with open(src, "wb") as f:
        for _ in range(50):
            f.write(os.urandom(1 << 20))
    config = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4)
    with open(src, "rb") as f:
        s3.upload_fileobj(f, BUCKET, "big/50MiB.bin", Config=config)
    head = s3.head_object(Bucket=BUCKET, Key="big/50MiB.bin")
    assert head["ContentLength"] == 50 << 20, head
    dst = os.path.join(WORK, "big.out")
    with open(dst, "wb") as f:
        s3.download_fileobj(BUCKET, "big/50MiB.bin", f, Config=config)
    assert sha256(src) == sha256(dst), "the downloaded 50 MiB differ"
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert uploads == [], uploads
    ok("upload_fileobj and download_fileobj of 50 MiB in 8 MiB parts")

    # 2,500 keys listed by the paginator, 1,000 a page
    def put(i):
        s3.put_object(Bucket=BUCKET, Key="many/%05d" % i, Body=b"%d" % i)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(2500)))
    keys = []
    pages = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="many/"):
        pages += 1
        keys.extend(o["Key"] for o in page.get("Contents", []))
    assert keys == ["many/%05d" % i for i in range(2500)], (len(keys), keys[:3])
    assert pages == 3, pages
    ok("list_objects_v2 paginator over 2500 keys in %d pages" % pages)

    # presigned URLs, used by curl (or urllib when curl is missing)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "presigned/a.txt"},
                                        ExpiresIn=300)
    body = os.path.join(WORK, "presigned.txt")
    with open(body, "wb") as f:
        f.write(b"sent with a presigned URL\n")
    http(["-X", "PUT", "--upload-file", body, put_url], "PUT", put_url, open(body, "rb").read())
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "presigned/a.txt"},
                                        ExpiresIn=300)
    got = http([get_url], "GET", get_url, None)
    assert got == b"sent with a presigned URL\n", got
    ok("presigned PUT and GET used with " + ("curl" if shutil.which("curl") else "urllib"))

    # refusals
    code = error_code(lambda: client("not-the-secret").list_objects_v2(Bucket=BUCKET))
    assert code == "SignatureDoesNotMatch", code
    ok("a wrong secret is SignatureDoesNotMatch")
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    code = error_code(lambda: s3.put_object(Bucket=BUCKET, Key="md5/bad", Body=b"payload", ContentMD5=wrong))
    assert code == "BadDigest", code
    code = error_code(lambda: s3.head_object(Bucket=BUCKET, Key="md5/bad"))
    assert code in ("404", "NoSuchKey"), code
    ok("a Content-MD5 mismatch is BadDigest and stores nothing")

    # metadata and content type round trip; overwrite
    s3.put_object(Bucket=BUCKET, Key="meta/x", Body=b"one", ContentType="text/plain", Metadata={"color": "blue"})
    s3.put_object(Bucket=BUCKET, Key="meta/x", Body=b"two", ContentType="text/csv", Metadata={"color": "red"})
    obj = s3.get_object(Bucket=BUCKET, Key="meta/x")
    assert obj["Body"].read() == b"two" and obj["ContentType"] == "text/csv", obj
    assert obj["Metadata"] == {"color": "red"}, obj["Metadata"]
    ok("overwrite with metadata and content type")


def http(curl_args, method, url, data):
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "--fail-with-body", "--max-time", "60"] + curl_args,
                             capture_output=True, check=False)
        if out.returncode != 0:
            raise AssertionError("curl %s failed: %s %s" % (method, out.stdout, out.stderr))
        return out.stdout
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the test's failure message, then the trace
        print("FAILED: %r" % (e,), flush=True)
        raise
