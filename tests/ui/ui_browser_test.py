#!/usr/bin/python3
"""ctest: goalctl ui in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium), on the example plan, through a real goalsyncd on free loopback ports.

Two users (wang and zhao) each run `goalctl ui` on their own replica and their own browser.
Checks, each against goalctl's own numbers where there are some:
  - the cascade tree shows every goal with its band (as `goalctl tree --output json`);
  - a goal page shows blame for the approved Q4 change (who, request, approver);
  - a refused edit shows the kernel's message next to the field and writes nothing;
  - a check-in made with the server stopped is shown pending, then synced once it is back;
  - a change request opened by wang is seen by zhao, approved there, and wang's page shows it
    approved without a reload;
  - the Gantt draws every task (as `goalctl gantt --output json`), with its dependencies;
  - "as of" seq 10 shows the Q4 target as 10 beside today's 12;
  - a Kanban move is a task status event;
  - without the secret, or without the CSRF token, or with another Host, nothing is served.
Screenshots of every page go to --artifacts. No sleeps: every wait is a bounded poll.
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WORKSPACE = "acme-2026"
results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)), flush=True)
    return cond


class Goalsyncd:
    """A goalsyncd on a loopback port; restartable on the same port and data dir."""

    def __init__(self, binary, data_dir):
        self.binary, self.data_dir, self.port, self.proc = binary, data_dir, 0, None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", self.data_dir, "--listen", "127.0.0.1:%d" % self.port,
             "--insecure-no-auth"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # "listening on port N", or EOF if it failed
        if not line.startswith("listening on port "):
            raise SystemExit("goalsyncd did not start: %r" % line)
        self.port = int(line.split()[-1])

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port


class Ui:
    """One user's `goalctl ui`, on its own replica."""

    def __init__(self, goalctl, server, replica, actor, env):
        self.proc = subprocess.Popen(
            [goalctl, "--server", server, "-w", WORKSPACE, "--as", actor, "--replica", replica,
             "ui", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise SystemExit("goalctl ui printed no URL: %r" % self.url)
        parsed = urllib.parse.urlparse(self.url)
        self.host, self.port = parsed.hostname, parsed.port
        self.secret = urllib.parse.parse_qs(parsed.query)["k"][0]

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(timeout=30)


def goalctl_json(goalctl, env, server, replica, *args):
    out = subprocess.run([goalctl, "--server", server, "-w", WORKSPACE, "--replica", replica,
                          "--output", "json", *args], env=env, check=True, capture_output=True,
                         text=True, timeout=60)
    return json.loads(out.stdout)


def browser(artifacts):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1100", "--no-first-run", "--disable-extensions",
                "--user-data-dir=" + tempfile.mkdtemp(prefix="goalsync-ui-chrome-")):
        o.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def wait(driver, what, timeout=15):
    # Pages re-render when the replica changes: an element found a moment ago may be gone, so
    # each poll reads afresh.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=[StaleElementReferenceException, NoSuchElementException]).until(what)


def text_of(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def shot(driver, artifacts, name):
    # The whole page: grow the window to the document's height first.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1440, max(900, min(height + 40, 4000)))
    driver.save_screenshot(os.path.join(artifacts, name + ".png"))
    driver.set_window_size(1440, 1100)


def goto(driver, hash_, ready):
    driver.execute_script("location.hash = arguments[0]", hash_)
    return wait(driver, lambda d: css(d, ready))


def http_status(ui, method, path, headers=None, body=None):
    c = http.client.HTTPConnection(ui.host, ui.port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def test_security(ui):
    cookie = {"Cookie": "goalsync_ui=" + ui.secret}
    check("no cookie: 403", http_status(ui, "GET", "/api/tree") == 403)
    check("a wrong secret: 403", http_status(ui, "GET", "/?k=" + "0" * 64) == 403)
    check("the secret: a cookie and a redirect", http_status(ui, "GET", "/?k=" + ui.secret) == 303)
    check("the cookie reads the plan", http_status(ui, "GET", "/api/tree", cookie) == 200)
    check("another Host: 403",
          http_status(ui, "GET", "/api/tree", dict(cookie, Host="evil.example:%d" % ui.port)) == 403)
    edit = json.dumps({"payload": {"checkInRecorded": {"goalId": "sales-team-2026", "value": 1}}})
    check("a POST without the CSRF token: 403",
          http_status(ui, "POST", "/api/edit", dict(cookie, **{"Content-Type": "application/json"}), edit) == 403)
    check("no state-changing GET", http_status(ui, "GET", "/api/edit", cookie) == 404)


def test_tree(driver, expected, artifacts):
    want = {g["id"]: g["band"] or "no target" for g in expected}

    def bands(d):
        shown = {r.get_attribute("data-goal"): r.find_element(By.CSS_SELECTOR, ".band").get_attribute("data-band")
                 for r in css(d, "#tree-table tr.goal-row")}
        return shown if shown == want else False
    try:
        shown = wait(driver, bands)
    except Exception:
        shown = None
    check("the tree shows every goal with goalctl tree's band", shown == want, (shown, want))
    check("the tree flags the failed check of sales-team-2026",
          wait(driver, lambda d: "quarters add up" in text_of(d, 'tr[data-goal="sales-team-2026"] .checks')))
    shot(driver, artifacts, "tree")


def test_blame(driver, artifacts):
    goto(driver, "#/goal/sales-team-2026", "#blame-table")
    sel = '#blame-table tr[data-field="period.2026-Q4"]'
    text = wait(driver, lambda d: text_of(d, sel))
    check("blame of Q4: value 12", wait(driver, lambda d: text_of(d, sel + " .value")) == "12", text)
    check("blame of Q4: the change request, its reason and who opened it",
          "cr-q4-sprint" in text and "opened by wang" in text and "Q3 reached 20" in text, text)
    check("blame of Q4: approved by zhao", "approved by zhao" in text, text)
    shot(driver, artifacts, "goal")
    driver.execute_script("document.getElementById('blame-table').scrollIntoView()")
    driver.save_screenshot(os.path.join(artifacts, "goal-blame.png"))


def test_refused(driver, artifacts):
    goto(driver, "#/goal/sales-team-2026", "#raci-form")
    form = driver.find_element(By.ID, "raci-form")
    Select(form.find_element(By.NAME, "role")).select_by_value("RACI_ROLE_ACCOUNTABLE")
    form.find_element(By.NAME, "person").send_keys("li")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait(driver, lambda d: text_of(d, '#raci-form .field-error[data-for="role"]'))
    check("a refused edit shows the kernel's message next to the field",
          "already has wang accountable" in error, error)
    pending = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".pending-count").get_attribute("data-pending"))
    check("a refused edit writes nothing", pending == "0", pending)
    shot(driver, artifacts, "refused-edit")


def test_offline_checkin(driver, server, artifacts):
    goto(driver, "#/goal/sales-team-2026", "#checkin-form")
    server.stop()
    form = driver.find_element(By.ID, "checkin-form")
    form.find_element(By.NAME, "value").send_keys("3")
    form.find_element(By.NAME, "period").send_keys("2026-Q4")
    form.find_element(By.NAME, "note").send_keys("signed on the train")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    mine = 'tr.checkin[data-status="%s"]'
    row = wait(driver, lambda d: [r.text for r in css(d, mine % "pending") if "signed on the train" in r.text])
    check("a check-in made with the server stopped is shown pending", bool(row))
    check("the status bar counts it waiting",
          wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".pending-count").get_attribute("data-pending") == "1"))
    shot(driver, artifacts, "checkin-pending")
    driver.execute_script("window.__sameDocument = true")
    started = time.monotonic()
    server.start()
    synced = wait(driver, lambda d: [r.text for r in css(d, mine % "synced") if "signed on the train" in r.text], 40)
    check("... and synced once the server is back (%.1f s), without a reload" % (time.monotonic() - started),
          bool(synced) and driver.execute_script("return window.__sameDocument === true"))


def test_change_request(wang, zhao, artifacts):
    goto(zhao, "#/crs", "#cr-table")
    zhao.execute_script("window.__sameDocument = true")
    goto(wang, "#/crs", "#cr-form")
    wang.execute_script("window.__sameDocument = true")
    form = wang.find_element(By.ID, "cr-form")
    Select(form.find_element(By.NAME, "goalId")).select_by_value("sales-team-2026")
    form.find_element(By.NAME, "periods").send_keys("2026-Q3=18")
    form.find_element(By.NAME, "reason").send_keys("a third large deal closed in September")
    form.find_element(By.NAME, "evidence").send_keys("CRM pipeline report")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    open_row = 'tr.cr-row[data-status="open"]'
    cr_id = wait(zhao, lambda d: [r.get_attribute("data-cr") for r in css(d, open_row) if "third large deal" in r.text], 30)[0]
    check("zhao's browser sees wang's change request without a reload", bool(cr_id))
    shot(zhao, artifacts, "change-requests")
    row = 'tr.cr-row[data-cr="%s"]' % cr_id
    wait(zhao, lambda d: d.find_element(By.CSS_SELECTOR, row + " input[name=note]")).send_keys("agreed")
    wait(zhao, lambda d: d.find_element(By.CSS_SELECTOR, row + " button.approve")).click()
    approved = row + '[data-status="approved"]'
    decided = wait(wang, lambda d: text_of(d, approved + " .decided-by"), 30)
    check("wang's browser shows it approved, by zhao, without a reload",
          "zhao" in decided and
          wang.execute_script("return window.__sameDocument === true") and
          zhao.execute_script("return window.__sameDocument === true"))


def test_gantt(driver, expected, artifacts):
    goto(driver, "#/gantt?today=2026-03-01", "#gantt-svg")
    want = sorted("%s/%s" % (b["goal"], b["task"]) for b in expected)
    drawn = wait(driver, lambda d: sorted(g.get_attribute("data-key") for g in css(d, "#gantt-svg g.task")))
    check("the Gantt draws every task of goalctl gantt", drawn == want and len(drawn) > 0, (drawn, want))
    check("the Gantt draws the dependencies", len(css(driver, "#gantt-svg path.dep")) == 3)
    check("the Gantt draws today", len(css(driver, "#gantt-svg line.today")) == 1)
    shot(driver, artifacts, "gantt")


def test_as_of(driver, artifacts):
    goto(driver, "#/asof/10", ".asof-item")
    sel = '.asof-item[data-item="sales-team-2026"] tr[data-field="period_targets.2026-Q4"]'
    then, now, cls = wait(driver, lambda d: (text_of(d, sel + " .then"), text_of(d, sel + " .now"),
                                             d.find_element(By.CSS_SELECTOR, sel).get_attribute("class")))
    check("as of seq 10: Q4 = 10 beside today's 12, marked", (then, now) == ("10", "12") and "changed" in cls,
          (then, now, cls))
    shot(driver, artifacts, "as-of")


def test_kanban(driver, artifacts):
    goto(driver, "#/kanban", ".kanban .card")
    card = '.card[data-key="rep-li-2026/signing"]'
    Select(wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, card + " select.move"))).select_by_value("doing")
    moved = wait(driver, lambda d: css(d, '.column[data-status="doing"] ' + card))
    check("a Kanban move is a task status event, shown in its new column", bool(moved))
    goto(driver, "#/goal/rep-li-2026", "#checkin-form")
    history = wait(driver, lambda d: [r.text for r in css(d, "tr.event") if "task_status_set" in r.text and "DOING" in r.text])
    check("... and in the goal's history", bool(history))


def screenshots(driver, artifacts):
    for name, hash_, ready in [("dashboard", "#/dashboard/sales-team-2026", ".burnup"),
                               ("kanban", "#/kanban", ".kanban .card"),
                               ("raci", "#/raci", "#raci-table"),
                               ("reviews", "#/reviews", "tr.review"),
                               ("conflicts", "#/conflicts", "#view p, #view table")]:
        goto(driver, hash_, ready)
        shot(driver, artifacts, name)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--goalctl", required=True)
    p.add_argument("--goalsyncd", required=True)
    p.add_argument("--plan", required=True)
    p.add_argument("--artifacts", required=True)
    args = p.parse_args()
    shutil.rmtree(args.artifacts, ignore_errors=True)  # no screenshot of an earlier run stays
    os.makedirs(args.artifacts)
    tmp = tempfile.mkdtemp(prefix="goalsync-ui-test-")
    # goalctl reads no one's settings: a home of its own, no GOALSYNC_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALSYNC_")}
    env.update(HOME=tmp, XDG_CONFIG_HOME=os.path.join(tmp, "config"), XDG_DATA_HOME=os.path.join(tmp, "data"))
    server = Goalsyncd(args.goalsyncd, os.path.join(tmp, "server"))
    uis, drivers = [], []
    started = time.monotonic()
    try:
        server.start()
        subprocess.run([args.goalctl, "--server", server.address, "import", args.plan], env=env,
                       check=True, capture_output=True, timeout=60)
        cli = os.path.join(tmp, "cli-replica")
        tree = goalctl_json(args.goalctl, env, server.address, cli, "tree")
        bars = goalctl_json(args.goalctl, env, server.address, cli, "gantt", "--today", "2026-03-01")
        wang_ui = Ui(args.goalctl, server.address, os.path.join(tmp, "wang"), "wang", env)
        zhao_ui = Ui(args.goalctl, server.address, os.path.join(tmp, "zhao"), "zhao", env)
        uis = [wang_ui, zhao_ui]
        test_security(wang_ui)
        wang, zhao = browser(args.artifacts), browser(args.artifacts)
        drivers = [wang, zhao]
        wang.get(wang_ui.url)
        zhao.get(zhao_ui.url)
        test_tree(wang, tree, args.artifacts)
        test_blame(wang, args.artifacts)
        test_refused(wang, args.artifacts)
        test_offline_checkin(wang, server, args.artifacts)
        test_change_request(wang, zhao, args.artifacts)
        test_gantt(wang, bars, args.artifacts)
        test_as_of(wang, args.artifacts)
        test_kanban(wang, args.artifacts)
        screenshots(wang, args.artifacts)
        for ui in uis:
            check("goalctl ui stops cleanly on SIGTERM", ui.stop() == 0)
        uis = []
    except Exception as e:  # a failed wait or a dead process: report it as a failure
        check("the browser test ran to the end", False, repr(e))
        for d in drivers:
            try:
                d.save_screenshot(os.path.join(args.artifacts, "failure-%d.png" % drivers.index(d)))
            except Exception:
                pass
    finally:
        for d in drivers:
            d.quit()
        for ui in uis:
            ui.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("browser test took %.1f s; screenshots in %s" % (time.monotonic() - started, args.artifacts))
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
