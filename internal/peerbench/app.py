"""The peer of gym's resources-server benchmark: the routes and bodies of
NeMo Gym's example_multi_step server on NeMo Gym's stack (FastAPI, pydantic
models for the requests and replies, uvicorn with uvloop and httptools).

Run by BenchmarkPeer (peer_test.go) as
    python3 -m uvicorn app:app --loop uvloop --http httptools --port PORT
"""

import json
from typing import Any, Dict, List, Literal, Optional, Union

from fastapi import FastAPI
from pydantic import BaseModel, Extra


class Loose(BaseModel):
    class Config:
        extra = Extra.allow


class OutputText(Loose):
    type: Literal["output_text"]
    text: str
    annotations: List[Any] = []


class Message(Loose):
    type: Literal["message"]
    role: str
    content: Union[str, List[OutputText]]
    id: Optional[str] = None
    status: Optional[str] = None


class FunctionCall(Loose):
    type: Literal["function_call"]
    name: str
    arguments: str
    call_id: str
    id: Optional[str] = None
    status: Optional[str] = None


class FunctionCallOutput(Loose):
    type: Literal["function_call_output"]
    call_id: str
    output: str


class Reasoning(Loose):
    type: Literal["reasoning"]
    summary: List[Dict[str, Any]] = []


class Response(Loose):
    id: str
    object: str = "response"
    created_at: float
    model: str
    output: List[Union[FunctionCall, FunctionCallOutput, Message, Reasoning]]
    usage: Optional[Dict[str, Any]] = None


class VerifyRequest(Loose):
    responses_create_params: Dict[str, Any]
    response: Response
    id: int
    expected_synonym_values: List[int]
    expected_synonyms: List[str]
    minefield_label: str
    minefield_label_value: int


class VerifyResponse(VerifyRequest):
    reward: float
    parsed_synonym_values: List[int]
    accuracy: bool
    set_overlap: float
    original_term_minefield_hit: bool
    order_instruction_following_failure: bool


class GetSynonymValueRequest(BaseModel):
    synonym: str


class GetSynonymValueResponse(BaseModel):
    synonym_value: int


app = FastAPI()


@app.post("/seed_session")
async def seed_session(body: Dict[str, Any]) -> Dict[str, Any]:
    return {}


@app.post("/get_synonym_value")
async def get_synonym_value(body: GetSynonymValueRequest) -> GetSynonymValueResponse:
    return GetSynonymValueResponse(synonym_value=sum(map(ord, body.synonym)))


@app.post("/verify")
async def verify(body: VerifyRequest) -> VerifyResponse:
    expected = body.expected_synonym_values
    actual: List[int] = []
    for item in reversed(body.response.output):
        if item.type == "function_call" and item.name == "extract_synonym_values":
            actual = json.loads(item.arguments)["synonym_values"]
            break
    accuracy = expected == actual
    overlap = len(set(actual) & set(expected)) / len(expected)
    return VerifyResponse(
        **body.dict(),
        reward=float(accuracy),
        parsed_synonym_values=actual,
        accuracy=accuracy,
        set_overlap=overlap,
        original_term_minefield_hit=body.minefield_label in actual or body.minefield_label_value in actual,
        order_instruction_following_failure=not accuracy and overlap == 1.0,
    )
