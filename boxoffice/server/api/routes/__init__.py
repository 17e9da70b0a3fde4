"""Thin routes: parse, pick dependencies, call one service function, return the envelope."""
