#pragma once

// Verb tags for actor messages. At most ten characters each (CAF 0.17).

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

CAF_ADD_ATOM(loong_atoms, loong, status_atom, "status")
CAF_ADD_ATOM(loong_atoms, loong, stop_atom, "stop")
CAF_ADD_ATOM(loong_atoms, loong, restart_atom, "restart")
CAF_ADD_ATOM(loong_atoms, loong, kill_atom, "kill")
CAF_ADD_ATOM(loong_atoms, loong, drain_atom, "drain")
CAF_ADD_ATOM(loong_atoms, loong, token_atom, "token")
CAF_ADD_ATOM(loong_atoms, loong, invalid_atom, "invalid")
CAF_ADD_ATOM(loong_atoms, loong, identity_atom, "identity")
CAF_ADD_ATOM(loong_atoms, loong, send_atom, "send")
CAF_ADD_ATOM(loong_atoms, loong, complete_atom, "complete")
CAF_ADD_ATOM(loong_atoms, loong, session_atom, "session")
CAF_ADD_ATOM(loong_atoms, loong, ask_atom, "ask")
CAF_ADD_ATOM(loong_atoms, loong, reset_atom, "reset")
CAF_ADD_ATOM(loong_atoms, loong, models_atom, "models")
CAF_ADD_ATOM(loong_atoms, loong, inbound_atom, "inbound")
CAF_ADD_ATOM(loong_atoms, loong, outcome_atom, "outcome")
CAF_ADD_ATOM(loong_atoms, loong, admit_atom, "admit")
CAF_ADD_ATOM(loong_atoms, loong, done_atom, "done")
CAF_ADD_ATOM(loong_atoms, loong, pending_atom, "pending")
CAF_ADD_ATOM(loong_atoms, loong, history_atom, "history")
CAF_ADD_ATOM(loong_atoms, loong, tick_atom, "tick")
CAF_ADD_ATOM(loong_atoms, loong, phase_atom, "phase")
CAF_ADD_ATOM(loong_atoms, loong, flush_atom, "flush")
CAF_ADD_ATOM(loong_atoms, loong, react_atom, "react")
CAF_ADD_ATOM(loong_atoms, loong, answer_atom, "answer")
CAF_ADD_ATOM(loong_atoms, loong, progress_atom, "progress")
CAF_ADD_ATOM(loong_atoms, loong, close_atom, "close")
CAF_ADD_ATOM(loong_atoms, loong, attempt_atom, "attempt")
CAF_ADD_ATOM(loong_atoms, loong, deliver_atom, "deliver")
CAF_ADD_ATOM(loong_atoms, loong, poke_atom, "poke")
