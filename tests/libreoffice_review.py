"""A reviewer in LibreOffice itself, driven headless through its scripting interface (UNO):
open a Word paper, turn on Record Changes, replace a phrase, save as Word.

Run with the system Python that has LibreOffice's ``uno`` module (python3-uno), not the suite's:
    /usr/bin/python3 libreoffice_review.py IN.docx OUT.docx PROFILE_DIR OLD NEW
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found


def connect(profile: Path):
    port = 20000 + os.getpid() % 10000
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", f"-env:UserInstallation={profile.as_uri()}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            context = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            return office, context
        except Exception:
            time.sleep(0.5)
    office.kill()
    raise SystemExit("LibreOffice did not start")


def set_author(context, given: str, family: str) -> None:
    """The name LibreOffice records on each change (Tools > Options > User Data)."""
    manager = context.ServiceManager
    provider = manager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", context)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess", (prop("nodepath", "/org.openoffice.UserProfile/Data"),)
    )
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def main(source: str, target: str, profile: str, old: str, new: str) -> None:
    office, context = connect(Path(profile).resolve())
    try:
        set_author(context, "Libby", "Office")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        document.setPropertyValue("RecordChanges", True)
        replace = document.createReplaceDescriptor()
        replace.SearchString, replace.ReplaceString = old, new
        if document.replaceAll(replace) != 1:
            raise SystemExit(f"'{old}' is not in the document once")
        document.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
        document.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as LibreOffice quits
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:6])
