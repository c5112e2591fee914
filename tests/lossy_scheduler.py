"""A scheduler that loses one listing request without a trace, as a queue with stale counts did
(crawler/scheduler.py): for the test that a walk cut short is reported, not taken as complete."""

from __future__ import annotations

from scrapy.http import Request

from crawler.scheduler import JobdirScheduler


class LosesListingPage2(JobdirScheduler):
    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("vn_page") == "listing" and request.cb_kwargs.get("page") == 2:
            return True  # "queued", and never seen again
        return super().enqueue_request(request)
