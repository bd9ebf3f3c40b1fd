"""Berdaya training service: DP3A and Distransnaker courses, from enrolment to certificate and job."""
