"""Thin DRF views for the feed: parse, call a selector or a service, serialize. Every list answers
``{"results": [...], "next": <cursor or null>}``."""

from .comments import CommentOutputSerializer, PostCommentsApi, ThreadOutputSerializer
from .feed import TABS, FeedApi, FeedItemSerializer, FeedPreferenceApi
from .posts import (
    PostDetailApi,
    PostLikeApi,
    PostLineageApi,
    PostOutputSerializer,
    PostRemixesApi,
    PostReportApi,
    PostViewApi,
    UserPostsApi,
    post_representation,
)
from .profiles import AvatarApi, MeApi, ProfileOutputSerializer, UserDetailApi
from .search import ExploreApi, SearchApi
from .sharing import OEmbedApi, PostDownloadApi, TagApi

__all__ = [
    "TABS",
    "AvatarApi",
    "CommentOutputSerializer",
    "ExploreApi",
    "FeedApi",
    "FeedItemSerializer",
    "FeedPreferenceApi",
    "MeApi",
    "OEmbedApi",
    "PostDownloadApi",
    "SearchApi",
    "TagApi",
    "PostCommentsApi",
    "PostDetailApi",
    "PostLikeApi",
    "PostLineageApi",
    "PostOutputSerializer",
    "PostRemixesApi",
    "PostReportApi",
    "PostViewApi",
    "ProfileOutputSerializer",
    "ThreadOutputSerializer",
    "UserDetailApi",
    "UserPostsApi",
    "post_representation",
]
